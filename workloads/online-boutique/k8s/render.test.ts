import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boutiqueInfo, renderBoutique, SERVICES } from './index.ts';
import { validateObject } from '../../../clusters/kubernetes/validate.ts';
import type { KubeObject } from '../../../mesh-impls/types.ts';

const ctx = { platform: 'kind' as const, namespace: 'ob', runId: 'r1', workload: boutiqueInfo() };
type Dep = KubeObject & { spec: { template: { metadata: { annotations?: Record<string, string> }; spec: Record<string, any> } } };

test('the upstream release as objects: 11 services, a ServiceAccount each, frontend-external, schema-valid', () => {
  const objs = renderBoutique({ ctx });
  assert.deepEqual(objs.flatMap(validateObject), []);
  const count = (k: string) => objs.filter((o) => o.kind === k).length;
  assert.equal(count('Deployment'), 11);
  assert.equal(count('ServiceAccount'), 11);
  assert.equal(count('Service'), 12);
  assert.equal((objs.find((o) => o.metadata.name === 'frontend-external')!.spec as { type: string }).type, 'LoadBalancer');
  for (const d of objs.filter((o) => o.kind === 'Deployment') as Dep[]) {
    const pod = d.spec.template.spec;
    assert.equal(pod.serviceAccountName, d.metadata.name);
    assert.deepEqual(pod.securityContext, { fsGroup: 1000, runAsGroup: 1000, runAsNonRoot: true, runAsUser: 1000 });
    const c = pod.containers[0];
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] });
    assert.match(c.image, /(:v0\.10\.6|redis:alpine)@sha256:[0-9a-f]{64}$/);
    assert.ok(c.resources.requests.cpu && c.resources.limits.memory);
  }
});

test('facts: ports, env, probes and resources match the upstream manifest', () => {
  const objs = renderBoutique({ ctx });
  const dep = (n: string) => (objs.find((o) => o.kind === 'Deployment' && o.metadata.name === n) as Dep).spec.template.spec.containers[0];
  const svc = (n: string) => (objs.find((o) => o.kind === 'Service' && o.metadata.name === n)!.spec as { ports: { name: string; port: number; targetPort: number }[] }).ports[0];
  assert.deepEqual(svc('emailservice'), { name: 'grpc', port: 5000, targetPort: 8080, protocol: 'TCP' });
  assert.deepEqual(svc('frontend'), { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' });
  assert.equal(svc('redis-cart').name, 'tcp-redis');
  const env = (n: string) => Object.fromEntries(dep(n).env.map((e: { name: string; value: string }) => [e.name, e.value]));
  assert.equal(env('checkoutservice').EMAIL_SERVICE_ADDR, 'emailservice:5000');
  assert.equal(env('frontend').SHOPPING_ASSISTANT_SERVICE_ADDR !== undefined, true);
  assert.equal(env('cartservice').REDIS_ADDR, 'redis-cart:6379');
  assert.deepEqual(dep('adservice').readinessProbe, { initialDelaySeconds: 20, periodSeconds: 15, grpc: { port: 9555 } });
  assert.equal(dep('frontend').readinessProbe.httpGet.path, '/_healthz');
  assert.deepEqual(dep('redis-cart').livenessProbe, { periodSeconds: 5, tcpSocket: { port: 6379 } });
  assert.deepEqual(dep('recommendationservice').resources, { requests: { cpu: '100m', memory: '220Mi' }, limits: { cpu: '200m', memory: '450Mi' } });
  assert.deepEqual(dep('redis-cart').resources, { requests: { cpu: '70m', memory: '200Mi' }, limits: { cpu: '125m', memory: '256Mi' } });
});

test('info: call graph from the facts, targetPorts, redis opaque', () => {
  const info = boutiqueInfo();
  assert.equal(info.services.length, SERVICES.length);
  const edges = info.callGraph.map((e) => `${e.from}>${e.to}:${e.port}`);
  assert.ok(edges.includes('checkoutservice>emailservice:5000'));
  assert.ok(edges.includes('cartservice>redis-cart:6379'));
  assert.ok(edges.includes('recommendationservice>productcatalogservice:3550'));
  assert.equal(edges.filter((e) => e.startsWith('frontend>')).length, 7);
  assert.equal(info.services.find((s) => s.name === 'redis-cart')!.ports[0].opaque, true);
  assert.equal(info.services.find((s) => s.name === 'frontend')!.ports[0].targetPort, 8080);
});

test('the patch hook: annotations, appProtocol, one Service per pod, and a last free-form pass', () => {
  const objs = renderBoutique({
    ctx,
    patch: {
      namespaceLabels: { mesh: 'on' },
      podAnnotations: (s) => ({ svc: s.name }),
      serviceAnnotations: (s): Record<string, string> => (s.ports[0].opaque ? { opaque: 'yes' } : {}),
      appProtocol: true,
      oneServicePerPod: true,
      objects: (list) => list.filter((o) => o.metadata.name !== 'adservice'),
    },
  });
  assert.equal(objs.find((o) => o.kind === 'Namespace')!.metadata.labels?.mesh, 'on');
  assert.equal(objs.some((o) => o.metadata.name === 'frontend-external'), false);
  assert.equal(objs.some((o) => o.metadata.name === 'adservice'), false);
  assert.equal((objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'frontend') as Dep).spec.template.metadata.annotations?.svc, 'frontend');
  const ports = (n: string) => (objs.find((o) => o.kind === 'Service' && o.metadata.name === n)!.spec as { ports: { appProtocol: string }[] }).ports[0].appProtocol;
  assert.equal(ports('frontend'), 'http');
  assert.equal(ports('cartservice'), 'kubernetes.io/h2c');
  assert.equal(ports('redis-cart'), 'tcp');
  assert.equal(objs.find((o) => o.kind === 'Service' && o.metadata.name === 'redis-cart')!.metadata.annotations?.opaque, 'yes');
  assert.deepEqual(objs.flatMap(validateObject), []);
});
