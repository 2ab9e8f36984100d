import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { generateLinkerdIdentity } from './certs.ts';
import { linkerdKube } from './index.ts';
import { boutiqueInfo, renderBoutique } from '../../workloads/online-boutique/k8s/index.ts';
import { leastPrivilegePolicy, type KubeObject } from '../types.ts';
import type { Workload } from '../../workloads/types.ts';

test('identity: ECDSA P-256 trust anchor and issuer, issuer signed by the anchor, key matches', async () => {
  const id = await generateLinkerdIdentity();
  const anchor = new X509Certificate(id.trustAnchor);
  const issuer = new X509Certificate(id.issuerCert);
  assert.equal(anchor.ca, true);
  assert.equal(issuer.ca, true);
  assert.equal(anchor.subject, 'CN=root.linkerd.cluster.local');
  assert.equal(issuer.subject, 'CN=identity.linkerd.cluster.local');
  assert.ok(issuer.checkIssued(anchor) && issuer.verify(anchor.publicKey), 'issuer is signed by the anchor');
  assert.ok(anchor.verify(anchor.publicKey), 'anchor is self-signed');
  assert.equal(anchor.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.match(id.issuerKey, /^-----BEGIN EC PRIVATE KEY-----/);
  const pub = createPublicKey(createPrivateKey(id.issuerKey)).export({ type: 'spki', format: 'der' });
  assert.deepEqual(pub, issuer.publicKey.export({ type: 'spki', format: 'der' }), 'issuer key belongs to the issuer certificate');
  assert.ok(new Date(issuer.validTo).getTime() - Date.now() > 300 * 86_400_000);
});

const ctx = { platform: 'kind' as const, namespace: 'ob', runId: 'r1', workload: boutiqueInfo() };

test('patch: namespace injection and default-inbound switch, redis opaque on pod and Service', () => {
  const objs = renderBoutique({ ctx, patch: linkerdKube({ defaultInboundPolicy: 'deny' }).patch });
  const ns = objs.find((o) => o.kind === 'Namespace')!;
  assert.equal(ns.metadata.annotations?.['linkerd.io/inject'], 'enabled');
  assert.equal(ns.metadata.annotations?.['config.linkerd.io/default-inbound-policy'], 'deny');
  const redisDeploy = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'redis-cart') as KubeObject & { spec: { template: { metadata: { annotations: Record<string, string> } } } };
  assert.equal(redisDeploy.spec.template.metadata.annotations['config.linkerd.io/opaque-ports'], '6379');
  const redisSvc = objs.find((o) => o.kind === 'Service' && o.metadata.name === 'redis-cart')!;
  assert.equal(redisSvc.metadata.annotations?.['config.linkerd.io/opaque-ports'], '6379');
  assert.equal(objs.find((o) => o.kind === 'Service' && o.metadata.name === 'cartservice')!.metadata.annotations, undefined);
  assert.equal(linkerdKube().patch.namespaceAnnotations?.['config.linkerd.io/default-inbound-policy'], 'all-unauthenticated');
});

test('policy: a Server per port, mTLS identities for the call graph, unauthenticated only to the entry', () => {
  const policy = leastPrivilegePolicy(ctx.workload as unknown as Workload);
  const objs = linkerdKube().policy(policy, ctx.workload, ctx);
  const of = (kind: string) => objs.filter((o) => o.kind === kind);
  assert.equal(of('Server').length, 11);
  const redis = of('Server').find((o) => o.metadata.name === 'redis-cart-tcp-redis') as KubeObject & { spec: Record<string, unknown> };
  assert.equal(redis.spec.proxyProtocol, 'opaque');
  assert.equal(redis.spec.accessPolicy, 'deny');
  // redis-cart: only cartservice, at L4 (Server target), by its ServiceAccount.
  const redisAuth = of('AuthorizationPolicy').filter((o) => (o.spec as { targetRef: { name: string } }).targetRef.name === 'redis-cart-tcp-redis');
  assert.deepEqual(redisAuth.map((o) => o.metadata.name), ['redis-cart-tcp-redis-from-cartservice']);
  const mtls = of('MeshTLSAuthentication').find((o) => o.metadata.name === 'sa-cartservice')!;
  assert.deepEqual(mtls.spec, { identityRefs: [{ kind: 'ServiceAccount', name: 'cartservice' }] });
  // Unauthenticated access exists for the frontend route and the gRPC health routes (kubelet probes), nothing else.
  const open = of('AuthorizationPolicy').filter((o) => (o.spec as { requiredAuthenticationRefs: { kind: string }[] }).requiredAuthenticationRefs[0].kind === 'NetworkAuthentication');
  assert.ok(open.every((o) => o.metadata.name === 'frontend-http-any-from-any' || o.metadata.name.endsWith('-grpc-health')), open.map((o) => o.metadata.name).join(','));
  assert.ok(open.some((o) => o.metadata.name === 'frontend-http-any-from-any'));
  // paymentservice is called only by checkoutservice.
  const pay = of('AuthorizationPolicy').filter((o) => o.metadata.name.startsWith('paymentservice-grpc-any-from-'));
  assert.deepEqual(pay.map((o) => o.metadata.name), ['paymentservice-grpc-any-from-checkoutservice']);
});

test('policy: gRPC methods become exact-path routes; an unknown port is an error naming the fix', () => {
  const objs = linkerdKube().policy({ default: 'deny', allow: [{ to: 'paymentservice', port: 50051, from: ['checkoutservice'], methods: ['/hipstershop.PaymentService/Charge'] }] }, ctx.workload, ctx);
  const route = objs.find((o) => o.kind === 'HTTPRoute' && !o.metadata.name.endsWith('-health'))!;
  assert.deepEqual((route.spec as { rules: unknown[] }).rules, [{ matches: [{ path: { type: 'Exact', value: '/hipstershop.PaymentService/Charge' } }] }]);
  assert.throws(() => linkerdKube().policy({ default: 'deny', allow: [{ to: 'paymentservice', port: 1, from: ['x'] }] }, ctx.workload, ctx), /no such service port.*Fix/);
});
