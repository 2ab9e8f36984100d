// Outbound destination lookup: pod IPs first, then Kubernetes Service virtual IPs (ClusterIP:port → targetPort on the
// Service's meshed pods), else passthrough.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoint, VirtualIp } from '../shared/config.ts';
import { indexVirtualIps, resolveDestination } from './resolve.ts';

const ep = (pod: string, ip: string, service: string): Endpoint => ({ pod, ip, service, identity: `spiffe://cluster.local/ns/ob/sa/${service}`, ports: [8080], opaquePorts: [] });
const SELF = '10.244.0.5';
const endpoints = [ep('frontend-a', '10.244.0.7', 'frontend'), ep('frontend-b', '10.244.1.7', 'frontend'), ep('cart-a', SELF, 'cartservice'), ep('redis-a', '10.244.0.9', 'redis-cart')];
const vips: VirtualIp[] = [
  { ip: '10.96.0.20', port: 80, targetPort: 8080, service: 'frontend', pods: ['frontend-a', 'frontend-b'] },
  // A second Service over the same pods (Online Boutique's frontend-external), another address, same target.
  { ip: '10.96.0.21', port: 80, targetPort: 8080, service: 'frontend-external', pods: ['frontend-a', 'frontend-b'] },
  { ip: '10.96.0.30', port: 7070, targetPort: 7070, service: 'cartservice', pods: ['cart-a'] },
  { ip: '10.96.0.40', port: 6379, targetPort: 6379, service: 'redis-cart', pods: ['redis-a', 'redis-gone'] },
  // Nothing meshed behind it (kube-dns): not indexed.
  { ip: '10.96.0.10', port: 53, targetPort: 53, service: 'kube-dns', pods: ['coredns-1'] },
];
const byIp = new Map(endpoints.map((e) => [e.ip, e]));
const byVip = indexVirtualIps(vips, endpoints, SELF);

test('a ClusterIP resolves to the Service pods on the target port', () => {
  const to = resolveDestination({ ip: '10.96.0.20', port: 80 }, byIp, byVip, SELF);
  assert.equal(to.to, 'meshed');
  assert.ok(to.to === 'meshed');
  assert.equal(to.port, 8080);
  assert.equal(to.service, 'frontend');
  assert.equal(to.vip, '10.96.0.20:80');
  assert.deepEqual(byVip.get('10.96.0.20:80')!.endpoints.map((e) => e.pod), ['frontend-a', 'frontend-b']);
  assert.equal(resolveDestination({ ip: '10.96.0.21', port: 80 }, byIp, byVip, SELF).to, 'meshed');
});

test('pods missing from discovery are not candidates; an address with none meshed is not indexed', () => {
  assert.deepEqual(byVip.get('10.96.0.40:6379')!.endpoints.map((e) => e.pod), ['redis-a']);
  assert.equal(byVip.has('10.96.0.10:53'), false);
  assert.deepEqual(resolveDestination({ ip: '10.96.0.10', port: 53 }, byIp, byVip, SELF), { to: 'passthrough' });
});

test('the port is part of the key: a ClusterIP on a port the Service does not have passes through', () => {
  assert.deepEqual(resolveDestination({ ip: '10.96.0.20', port: 443 }, byIp, byVip, SELF), { to: 'passthrough' });
});

test('a pod IP is resolved as before, without the virtual IPs', () => {
  const to = resolveDestination({ ip: '10.244.1.7', port: 8080 }, byIp, byVip, SELF);
  assert.ok(to.to === 'meshed');
  assert.equal(to.ep.pod, 'frontend-b');
  assert.equal(to.port, 8080);
  assert.equal(to.vip, undefined);
  assert.deepEqual(resolveDestination({ ip: '203.0.113.9', port: 443 }, byIp, new Map(), SELF), { to: 'passthrough' });
});

test('a Service only this pod backs goes straight to the local app on the target port', () => {
  assert.deepEqual(resolveDestination({ ip: '10.96.0.30', port: 7070 }, byIp, byVip, SELF), { to: 'self', port: 7070 });
  assert.deepEqual(resolveDestination({ ip: SELF, port: 7070 }, byIp, byVip, SELF), { to: 'self', port: 7070 });
});
