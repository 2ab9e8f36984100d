// Every object a kind/kubernetes run would apply, rendered for every mesh and validated against the Kubernetes
// OpenAPI schemas (kubernetes-models), Gateway API (@kubernetes-models/gateway-api) and the vendored Linkerd and
// Consul CRD schemas. Also: the validator itself rejects what the API server (or a mesh) would reject.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMesh } from '../../mesh-impls/index.ts';
import { meshPlan, type PlanStep } from './plan.ts';
import { loadKubeWorkload } from './workload.ts';
import { validateObject } from './validate.ts';
import { k6Objects } from './k6.ts';
import { probePod } from './probe-pod.ts';
import type { KubeObject } from '../../mesh-impls/types.ts';

const objectsOf = (steps: PlanStep[]): KubeObject[] => steps.flatMap((s) => (s.do === 'apply' ? [...s.objects] : []));

for (const platform of ['kind', 'kubernetes'] as const) {
  for (const name of ['none', 'linkerd', 'consul']) {
    test(`${platform}/${name}: every manifest of the plan is schema-valid`, async () => {
      const plan = meshPlan(await loadMesh(name), await loadKubeWorkload('online-boutique'), { platform, runId: 'test1', runDir: '/tmp/x' });
      assert.equal(plan.supported, true);
      const objects = [...objectsOf(plan.setup), ...objectsOf(plan.deploy), ...objectsOf(plan.policy)];
      assert.ok(objects.length >= 34, `only ${objects.length} objects rendered`);
      assert.deepEqual(objects.flatMap(validateObject), []);
      const kinds = new Set(objects.map((o) => o.kind));
      if (name === 'linkerd') for (const k of ['Server', 'AuthorizationPolicy', 'MeshTLSAuthentication', 'NetworkAuthentication', 'HTTPRoute']) assert.ok(kinds.has(k), k);
      if (name === 'consul') for (const k of ['ServiceDefaults', 'ServiceIntentions']) assert.ok(kinds.has(k), k);
    });
  }
}

test('k6 Job and probe pods are schema-valid', () => {
  const objs = [
    ...k6Objects({ name: 'k6-50rps-1', namespace: 'load', image: 'grafana/k6:1.3.0', script: 'export default function () {}', baseUrl: 'http://frontend.ob.svc.cluster.local:80', labels: { a: 'b' }, timeoutS: 100 }),
    probePod({ name: 'probe-1', namespace: 'ob', image: 'busybox:1.36', command: ['sh', '-c', 'true'], meshed: false, labels: {} }),
  ];
  assert.deepEqual(objs.flatMap(validateObject), []);
});

test('the validator rejects bad built-in, Gateway API and CRD objects', () => {
  const bad: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 'eighty' }] } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { rules: [{ matches: [{ path: { type: 'Glob', value: '/' } }] }] } },
    { apiVersion: 'policy.linkerd.io/v1beta3', kind: 'Server', metadata: { name: 'x' }, spec: { port: 80, podSelector: {}, proxyProtocl: 'opaque' } },
    { apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'MeshTLSAuthentication', metadata: { name: 'm' }, spec: { identities: ['Not An Identity'] } },
    { apiVersion: 'consul.hashicorp.com/v1alpha1', kind: 'ServiceIntentions', metadata: { name: 'i' }, spec: { destination: { name: 'a' }, sources: [{ name: 'b', actoin: 'allow' }] } },
    { apiVersion: 'example.com/v1', kind: 'Unknown', metadata: { name: 'u' } },
  ];
  for (const o of bad) assert.notDeepEqual(validateObject(o), [], `${o.kind} should be invalid`);
});
