import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authorizer } from './authz.ts';
import { Balancer, RetryBudget } from './balancer.ts';
import type { Snapshot } from '../shared/config.ts';
import type { MeshPolicy } from '../../types.ts';

const id = (sa: string) => `spiffe://td/ns/default/sa/${sa}`;
const snapshot = (policy: MeshPolicy): Snapshot => ({
  version: 1,
  trustDomain: 'td',
  nodeIp: '10.0.0.1',
  mtls: true,
  policy,
  endpoints: [{ pod: 'payment', ip: '10.0.0.5', service: 'payment', identity: id('payment'), ports: [50051, 8080], opaquePorts: [], health: { kind: 'grpc', port: 50051 } }],
});

test('explicit rules are exhaustive for their port; other ports follow the default', () => {
  const a = new Authorizer(snapshot({ default: 'all-unauthenticated', allow: [{ to: 'payment', port: 50051, from: ['checkout'], methods: ['/hipstershop.PaymentService/Charge'] }] }), 'payment', 'payment');
  const charge = '/hipstershop.PaymentService/Charge';
  assert.equal(a.allows(50051, { id: id('checkout'), ip: '10.0.0.9' }, charge), true);
  assert.equal(a.allows(50051, { id: id('frontend'), ip: '10.0.0.9' }, charge), false, 'other identity');
  assert.equal(a.allows(50051, { id: id('checkout'), ip: '10.0.0.9' }, '/hipstershop.PaymentService/ChargeAll'), false, 'method prefix is not a path prefix');
  assert.equal(a.allows(50051, { id: id('checkout'), ip: '10.0.0.9' }), false, 'TCP on a method-scoped port');
  assert.equal(a.allows(50051, { ip: '10.0.0.1' }, '/grpc.health.v1.Health/Check'), true, 'node health check');
  assert.equal(a.allows(50051, { ip: '10.0.0.9' }, '/grpc.health.v1.Health/Check'), false, 'health from a non-node plaintext client');
  assert.equal(a.allows(8080, { ip: '10.0.0.9' }, '/'), true, 'port without rules: all-unauthenticated');
});

test('default policies: all-authenticated and deny', () => {
  const authn = new Authorizer(snapshot({ default: 'all-authenticated', allow: [] }), 'payment', 'payment');
  assert.equal(authn.allows(8080, { ip: '10.0.0.9' }, '/'), false);
  assert.equal(authn.allows(8080, { id: id('x'), ip: '10.0.0.9' }, '/'), true);
  const deny = new Authorizer(snapshot({ default: 'deny', allow: [{ to: 'payment', port: 8080, from: ['*unauthenticated*'], methods: ['/public'] }] }), 'payment', 'payment');
  assert.equal(deny.allows(8080, { ip: '10.0.0.9' }, '/public/a?x=1'), true);
  assert.equal(deny.allows(8080, { ip: '10.0.0.9' }, '/publicity'), false);
  assert.equal(deny.allows(50051, { id: id('checkout'), ip: '10.0.0.9' }, '/x'), false);
});

test('on Kubernetes the node is the pod\'s own hostIP (bootstrap), not the snapshot\'s', () => {
  const a = new Authorizer(snapshot({ default: 'deny', allow: [] }), 'payment', 'payment', '172.18.0.3');
  assert.equal(a.allows(50051, { ip: '172.18.0.3' }, '/grpc.health.v1.Health/Check'), true);
  assert.equal(a.allows(50051, { ip: '10.0.0.1' }, '/grpc.health.v1.Health/Check'), false);
  assert.equal(a.allows(50051, { ip: '172.18.0.3' }, '/hipstershop.PaymentService/Charge'), false, 'only health checks');
});

test('P2C-EWMA moves traffic away from a slow endpoint; the retry budget runs dry', () => {
  const b = new Balancer<{ ip: string }>();
  const eps = [{ ip: 'a' }, { ip: 'b' }];
  for (let i = 0; i < 20; i++) b.end(b.start(eps[0]), 50, true);
  for (let i = 0; i < 20; i++) b.end(b.start(eps[1]), 1, true);
  let toFast = 0;
  for (let i = 0; i < 100; i++) if (b.pick(eps).ip === 'b') toFast++;
  assert.equal(toFast, 100, 'with two endpoints P2C always compares both');
  const budget = new RetryBudget(0.2, 2);
  assert.equal(budget.tryWithdraw(), true);
  assert.equal(budget.tryWithdraw(), true);
  assert.equal(budget.tryWithdraw(), false, 'budget exhausted');
  for (let i = 0; i < 5; i++) budget.deposit();
  assert.equal(budget.tryWithdraw(), true, '5 requests earn one retry');
});
