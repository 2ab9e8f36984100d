// Rehearses the Kubernetes probes' command plans in LocalStack pods against the probe fixture: the same shell
// commands a probe pod runs, placed where a cluster would place them (capture next to the target, meshed pods in the
// pod of their ServiceAccount, the rest outside the mesh), judged by judgeKubeProbe.
import { probePodSpecs, judgeKubeProbe, type KubeProbePlan } from '../k8s.ts';
import { startFixture, FIXTURE_WORKLOAD, type Fixture, type FixtureOptions } from './fixture.ts';
import { clientPod } from '../local/pods.ts';
import { policyFor } from '../index.ts';
import type { ProbeResult } from '../types.ts';

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

export async function rehearseKubePlans(opts: FixtureOptions): Promise<Map<string, ProbeResult>> {
  const f = await startFixture(opts);
  try {
    const plans = probePodSpecs({ workload: FIXTURE_WORKLOAD, mesh: 'fixture', runId: 'local', expectedIdentity: f.ctx.facts.expectedIdentity, adminPorts: [4191] });
    const out = new Map<string, ProbeResult>();
    for (const profile of ['default', 'strict', 'least-privilege'] as const) {
      // Probed in its strict profile (as the custom mesh is for probes 1–7): "default" plans run under strict here.
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
