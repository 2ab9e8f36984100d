// Rehearses the Kubernetes probes in LocalStack pods against the probe fixture: runKubeProbes drives them through a
// stand-in for the cluster deployment whose runPod executes each pod's own shell command where a cluster would place
// the pod (capture next to the target, meshed pods in the pod of their ServiceAccount, the rest outside the mesh).
import { runKubeProbes, type KubeProbeDeployment } from '../k8s-run.ts';
import { startFixture, FIXTURE_WORKLOAD, type FixtureOptions } from './fixture.ts';
import { clientPod } from '../local/pods.ts';
import { policyFor } from '../index.ts';
import type { ProbeRecord } from '../../reports/schema.ts';

export async function rehearseKubePlans(opts: FixtureOptions, only?: string[]): Promise<Map<string, ProbeRecord>> {
  const f = await startFixture(opts);
  try {
    const outside = await clientPod(f.ctx);
    const deployment: KubeProbeDeployment = {
      async runPod(p) {
        const where = p.capture ? p.capture.nodeOf : p.meshed ? FIXTURE_WORKLOAD.services.find((s) => s.serviceAccount === p.serviceAccount)!.name : outside;
        const r = await f.stack.exec(where, p.command[0], p.command.slice(1), { timeoutMs: p.timeoutS * 1000 });
        return { phase: r.exitCode === 0 ? 'Succeeded' : 'Failed', logs: `${r.stdout}\n${r.stderr}` };
      },
      applyPolicy: (policy) => f.ctx.applyPolicy(policy),
    };
    // Probed in its strict profile (as the custom mesh is for probes 1–7): the mesh's "default" is its strict policy here.
    const facts = { ...f.ctx.facts, defaultPolicy: policyFor(f.ctx, 'strict') };
    await f.ctx.applyPolicy(facts.defaultPolicy);
    const records = await runKubeProbes(deployment, { platform: 'kind', mesh: 'fixture', workload: FIXTURE_WORKLOAD, facts, runId: 'rehearsal', only });
    return new Map(records.map((r) => [r.probe === 'plaintext-rejected' ? `${r.probe}/${r.policy}` : r.probe, r]));
  } finally {
    await f.teardown();
  }
}
