// The Kubernetes probes, rendered for Online Boutique: snapshot, schema validation, and the rules a cluster needs.
// (k8s-rehearsal*.test.ts run the same command plans for real in local pods.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadWorkload } from '../workloads/index.ts';
import { probePod } from '../clusters/kubernetes/probe-pod.ts';
import { assertValid } from '../clusters/kubernetes/validate.ts';
import { probePodSpecs, renderProbePods, PROBE_IMAGE } from './k8s.ts';

const SNAPSHOT = new URL('./__snapshots__/k8s-online-boutique.json', import.meta.url);
const linkerdIdentity = (s: { serviceAccount: string }) => `${s.serviceAccount}.default.serviceaccount.identity.linkerd.cluster.local`;

describe('Kubernetes probe pods: rendering', () => {
  it('matches the snapshot for Online Boutique under Linkerd (UPDATE_SNAPSHOTS=1 rewrites it)', async () => {
    const plans = probePodSpecs({ workload: await loadWorkload('online-boutique'), mesh: 'linkerd', runId: 'snapshot', expectedIdentity: linkerdIdentity });
    const rendered = JSON.stringify(plans, null, 2) + '\n';
    if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(SNAPSHOT, rendered);
    assert.ok(existsSync(SNAPSHOT), 'snapshot missing: run with UPDATE_SNAPSHOTS=1 once and commit it');
    assert.equal(rendered, readFileSync(SNAPSHOT, 'utf8'));
  });

  it('renders valid Pods: pinned image, bounded lifetime, meshed callers with their ServiceAccount, capture with raw sockets only', async () => {
    const workload = await loadWorkload('online-boutique');
    const plans = probePodSpecs({ workload, mesh: 'consul', runId: 'r1' });
    assert.deepEqual(
      plans.map((p) => `${p.probe}/${p.profile}`),
      ['mtls-on-the-wire/default', 'plaintext-rejected/default', 'plaintext-rejected/strict', 'authz-least-privilege/least-privilege', 'workload-identity/default', 'tls-strength/default', 'foreign-ca-rejected/default', 'admin-exposure/default'],
    );
    assert.match(PROBE_IMAGE, /@sha256:[0-9a-f]{64}$/);
    const pods = plans.flatMap((p) => renderProbePods(p, 'ob', probePod));
    assertValid(pods, 'probe pods');
    const names = new Set<string>();
    for (const pod of pods) {
      const spec = pod.spec as { activeDeadlineSeconds: number; containers: { image: string; securityContext: { capabilities: { add?: string[] } } }[]; hostNetwork?: boolean; serviceAccountName?: string };
      assert.ok(!names.has(pod.metadata.name), `duplicate pod name ${pod.metadata.name}`);
      names.add(pod.metadata.name);
      assert.ok(pod.metadata.name.length <= 63);
      assert.equal(spec.containers[0].image, PROBE_IMAGE);
      assert.ok(spec.activeDeadlineSeconds <= 60, `${pod.metadata.name}: ${spec.activeDeadlineSeconds} s`);
      const capture = pod.metadata.name.includes('-capture-');
      assert.equal(spec.hostNetwork === true, capture);
      assert.deepEqual(spec.containers[0].securityContext.capabilities.add ?? [], capture ? ['NET_RAW', 'NET_ADMIN'] : []);
    }
    const authz = plans.find((p) => p.probe === 'authz-least-privilege')!;
    const outsider = authz.pods.find((p) => p.name.includes('-outsider-'))!;
    assert.equal(outsider.serviceAccount, 'frontend', 'the frontend is not in the graph of PaymentService');
    assert.match(outsider.command.join(' '), /paymentservice:50051\/hipstershop\.PaymentService\/Charge/);
    // One meshed pod per caller account, each calling its own edges (cartservice → redis-cart is plain TCP).
    assert.ok(authz.pods.some((p) => p.serviceAccount === 'cartservice' && p.command.join(' ').includes('nc -w 3 redis-cart 6379')));
    const unmeshed = pods.filter((p) => p.metadata.annotations?.['linkerd.io/inject'] === 'disabled');
    assert.ok(unmeshed.length >= 6, 'outside-the-mesh probes opt out of injection');
  });
});

describe('Kubernetes mesh facts', () => {
  it("names each contender's identity in its own format", async () => {
    const { kubeMeshFacts } = await import('./k8s-run.ts');
    const pay = { name: 'paymentservice', serviceAccount: 'paymentservice', ports: [] };
    assert.equal(kubeMeshFacts('linkerd').expectedIdentity!(pay), 'paymentservice.default.serviceaccount.identity.linkerd.cluster.local');
    const consul = kubeMeshFacts('consul');
    assert.equal(consul.identityMatches!('spiffe://0c7d3f1e-8a2b-4c5d-9e6f-112233445566.consul/ns/default/dc/dc1/svc/paymentservice', pay), true);
    assert.equal(consul.identityMatches!('spiffe://0c7d3f1e.consul/ns/default/dc/dc1/svc/checkoutservice', pay), false);
    assert.equal(consul.maxCertLifetimeS, 72 * 3600);
  });
});
