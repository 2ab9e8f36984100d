import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { consulKube } from './index.ts';
import { consulValues } from './values.ts';
import { HEALTH_EXPOSE_PORT } from './policy.ts';
import { boutiqueInfo, renderBoutique } from '../../workloads/online-boutique/k8s/index.ts';
import { leastPrivilegePolicy, type KubeObject } from '../types.ts';
import type { Workload } from '../../workloads/types.ts';

const ctx = { platform: 'kind' as const, namespace: 'ob', runId: 'r1', workload: boutiqueInfo() };
type Dep = KubeObject & { spec: { template: { metadata: { annotations: Record<string, string> }; spec: { containers: { readinessProbe: Record<string, { port: number }> }[] } } } };

test('values: the seed plus ACLs (deny by default), TLS, metrics; injection allowed in the run namespace only', () => {
  const v = consulValues('ob') as { global: Record<string, Record<string, unknown>>; connectInject: Record<string, unknown> };
  assert.equal(v.global.acls.manageSystemACLs, true);
  assert.equal(v.global.tls.enabled, true);
  assert.equal(v.global.metrics.enabled, true);
  assert.equal(v.connectInject.enabled, true);
  assert.equal(v.connectInject.default, true);
  assert.deepEqual(v.connectInject.k8sAllowNamespaces, ['ob']);
  assert.deepEqual(v.connectInject.k8sDenyNamespaces, ['kube-system']);
  const step = consulKube.install(ctx)[0];
  assert.ok(step.do === 'run' && step.args.includes('--version') && step.args.includes('1.9.3'));
  assert.deepEqual(parse(step.do === 'run' ? step.files!['values.yaml'] : ''), v);
});

test('patch: frontend-external dropped, appProtocol set, gRPC probes through the exposed health path, entry port outside the proxy', () => {
  const objs = renderBoutique({ ctx, patch: consulKube.patch });
  assert.equal(objs.some((o) => o.metadata.name === 'frontend-external'), false);
  const svc = objs.find((o) => o.kind === 'Service' && o.metadata.name === 'checkoutservice') as KubeObject & { spec: { ports: { appProtocol?: string }[] } };
  assert.equal(svc.spec.ports[0].appProtocol, 'kubernetes.io/h2c');
  const dep = (n: string) => objs.find((o) => o.kind === 'Deployment' && o.metadata.name === n) as Dep;
  assert.deepEqual(dep('checkoutservice').spec.template.spec.containers[0].readinessProbe.grpc, { port: HEALTH_EXPOSE_PORT });
  assert.equal(dep('frontend').spec.template.metadata.annotations['consul.hashicorp.com/transparent-proxy-exclude-inbound-ports'], `${HEALTH_EXPOSE_PORT},8080`);
  assert.equal(dep('cartservice').spec.template.metadata.annotations['consul.hashicorp.com/transparent-proxy-exclude-inbound-ports'], `${HEALTH_EXPOSE_PORT}`);
  assert.ok(dep('frontend').spec.template.spec.containers[0].readinessProbe.httpGet, 'HTTP probes are left to Consul');
});

test('ServiceDefaults: grpc for gRPC services (with the health path exposed), tcp for redis, http for the frontend', () => {
  const sd = Object.fromEntries(consulKube.workloadObjects!(ctx.workload, ctx).map((o) => [o.metadata.name, o.spec as Record<string, unknown>]));
  assert.equal(sd['redis-cart'].protocol, 'tcp');
  assert.equal(sd.frontend.protocol, 'http');
  assert.equal(sd.emailservice.protocol, 'grpc');
  assert.deepEqual(sd.emailservice.expose, { paths: [{ path: '/grpc.health.v1.Health/Check', localPathPort: 8080, listenerPort: HEALTH_EXPOSE_PORT, protocol: 'http2' }] });
});

test('ServiceIntentions: the call graph, L7 permissions for methods, a wildcard only for a permissive default', () => {
  const wl = ctx.workload;
  const objs = consulKube.policy(leastPrivilegePolicy(wl as unknown as Workload), wl, ctx);
  const by = Object.fromEntries(objs.map((o) => [o.metadata.name, o.spec as { sources: { name: string; action?: string }[] }]));
  assert.deepEqual(by['redis-cart'].sources, [{ name: 'cartservice', action: 'allow' }]);
  assert.deepEqual(by.paymentservice.sources.map((s) => s.name), ['checkoutservice']);
  assert.equal(by.frontend, undefined, 'unauthenticated callers are not intentions');
  assert.equal(by['default-allow'], undefined);
  const open = consulKube.policy({ default: 'all-unauthenticated', allow: [{ to: 'paymentservice', port: 50051, from: ['checkoutservice'], methods: ['/hipstershop.PaymentService/Charge'] }] }, wl, ctx);
  assert.deepEqual(open[0].spec, { destination: { name: 'paymentservice' }, sources: [{ name: 'checkoutservice', permissions: [{ action: 'allow', http: { pathExact: '/hipstershop.PaymentService/Charge' } }] }] });
  assert.deepEqual(open[1].spec, { destination: { name: '*' }, sources: [{ name: '*', action: 'allow' }] });
});

test('verify: config entries synced and pods injected, judged from kubectl output', async () => {
  const { judgeSynced, judgeInjectStatus } = await import('./index.ts');
  assert.deepEqual(judgeSynced('frontend True\ncartservice True\n'), { ok: true, detail: '2 config entries synced' });
  assert.equal(judgeSynced('frontend True\ncartservice False\n').ok, false);
  assert.equal(judgeSynced('').ok, false);
  assert.equal(judgeInjectStatus('a injected\n').ok, true);
  const steps = consulKube.verify(ctx);
  assert.ok(steps.every((s) => s.do === 'run' && s.tool === 'kubectl' && s.judge));
});
