// The Kubernetes probes: rendered for Online Boutique (snapshot + schema validation + the rules a cluster needs),
// and their command plans executed for real in LocalStack pods against the probe fixture — the same shell commands a
// probe pod runs — so that each plan is shown to pass against a mesh with the property and fail against the baseline.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadWorkload } from '../workloads/index.ts';
import { probePod } from '../clusters/kubernetes/probe-pod.ts';
import { assertValid } from '../clusters/kubernetes/validate.ts';
import { probePodSpecs, renderProbePods, judgeKubeProbe, PROBE_IMAGE, type KubeProbePlan } from './k8s.ts';
import { startFixture, FIXTURE_WORKLOAD, type Fixture, type FixtureOptions } from './testing/fixture.ts';
import { clientPod } from './local/pods.ts';
import { policyFor } from './index.ts';
import type { ProbeResult } from './types.ts';

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

/** Runs a plan's pod commands in the fixture: capture in the target's pod, meshed pods in their account's pod, others outside. */
async function runPlanLocally(f: Fixture, plan: KubeProbePlan): Promise<ProbeResult> {
  const outside = await clientPod(f.ctx);
  const logs: Record<string, string> = {};
  await Promise.all(
    plan.pods.map(async (p) => {
      const where = p.capture ? p.capture.nodeOf : p.meshed ? FIXTURE_WORKLOAD.services.find((s) => s.serviceAccount === p.serviceAccount)!.name : outside;
      const r = await f.stack.exec(where, p.command[0], p.command.slice(1), { timeoutMs: p.timeoutS * 1000 });
      logs[p.name] = `${r.stdout}\n${r.stderr}`;
    }),
  );
  return judgeKubeProbe(plan, logs, f.ctx.facts, FIXTURE_WORKLOAD.services.find((s) => s.name === 'payment'));
}

async function runAllLocally(opts: FixtureOptions): Promise<Map<string, ProbeResult>> {
  const f = await startFixture(opts);
  try {
    const plans = probePodSpecs({ workload: FIXTURE_WORKLOAD, mesh: 'fixture', runId: 'local', expectedIdentity: f.ctx.facts.expectedIdentity, adminPorts: [4191] });
    const out = new Map<string, ProbeResult>();
    for (const profile of ['default', 'strict', 'least-privilege'] as const) {
      await f.ctx.applyPolicy(policyFor(f.ctx, profile === 'default' ? 'strict' : profile));
      const mine = plans.filter((p) => p.profile === profile);
      const results = await Promise.all(mine.map((p) => runPlanLocally(f, p)));
      mine.forEach((p, i) => out.set(p.probe === 'plaintext-rejected' ? `${p.probe}/${p.profile}` : p.probe, results[i]));
    }
    return out;
  } finally {
    await f.teardown();
  }
}

describe('Kubernetes probe command plans, executed in local pods', { timeout: 180_000 }, () => {
  it('pass against a mesh with every property', async () => {
    const r = await runAllLocally({ sidecars: true, minVersion: 'TLSv1.3' });
    for (const [id, res] of r) assert.equal(res.outcome, 'pass', `${id}: ${res.summary} ${JSON.stringify(res.evidence)}`);
    assert.equal(r.size, 8);
  });

  it('fail against the baseline, and the admin scan fails when the admin page is exposed', async () => {
    const base = await runAllLocally({ sidecars: false });
    for (const id of ['mtls-on-the-wire', 'plaintext-rejected/strict', 'authz-least-privilege', 'workload-identity', 'tls-strength', 'foreign-ca-rejected']) {
      assert.equal(base.get(id)!.outcome, 'fail', `${id}: ${base.get(id)!.summary}`);
    }
  });
});
