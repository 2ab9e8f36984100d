// Runs the Kubernetes probes through a cluster deployment: for each probe, put its policy profile in force, run its
// pods together (Deployment.runPod), judge their logs, and record a ProbeRecord — the Kubernetes twin of runProbes.
import type { PlatformName, ProbeRecord } from '../reports/schema.ts';
import { ProbeRecord as ProbeRecordSchema } from '../reports/schema.ts';
import type { MeshPolicy } from '../mesh-impls/types.ts';
import type { MeshProbeFacts, ProbeWorkload } from './types.ts';
import { probePodSpecs, judgeKubeProbe, type KubeProbePod } from './k8s.ts';
import { policyFor } from './index.ts';

/** What the probes need from a cluster deployment (clusters/kubernetes/driver.ts KubeDeployment has both). */
export interface KubeProbeDeployment {
  /** Runs one probe pod to completion. `capture` pods need host network and raw sockets: see renderProbePods. */
  runPod(spec: KubeProbePod): Promise<{ phase: string; logs: string }>;
  applyPolicy(policy: MeshPolicy): Promise<void>;
}

/** Facts of the Kubernetes contenders, from their documentation (facts.md §2, §3). */
export function kubeMeshFacts(mesh: string, namespace = 'default'): MeshProbeFacts {
  if (mesh === 'linkerd') {
    return {
      identityFormat: 'linkerd',
      expectedIdentity: (s) => `${s.serviceAccount}.${namespace}.serviceaccount.identity.linkerd.cluster.local`,
      maxCertLifetimeS: 24 * 3600,
    };
  }
  if (mesh === 'consul') {
    return {
      identityFormat: 'spiffe',
      expectedIdentity: (s) => `spiffe://<cluster-id>.consul/ns/${namespace}/dc/dc1/svc/${s.name}`,
      // The trust domain is the cluster's CA id (<uuid>.consul), known only once Consul runs: match the rest.
      identityMatches: (name, s) => new RegExp(`^spiffe://[0-9a-f-]+\\.consul/ns/${namespace}/dc/dc1/svc/${s.name}$`).test(name),
      maxCertLifetimeS: 72 * 3600,
    };
  }
  return {};
}

export async function runKubeProbes(
  d: KubeProbeDeployment,
  o: { platform: PlatformName; mesh: string; workload: ProbeWorkload; facts: MeshProbeFacts; only?: readonly string[]; runId?: string; onRecord?: (r: ProbeRecord) => void },
): Promise<ProbeRecord[]> {
  const plans = probePodSpecs({ workload: o.workload, mesh: o.mesh, runId: o.runId ?? new Date().toISOString(), expectedIdentity: o.facts.expectedIdentity }).filter(
    (p) => !o.only?.length || o.only.includes(p.probe),
  );
  const order = ['default', 'strict', 'least-privilege'];
  plans.sort((a, b) => order.indexOf(a.profile) - order.indexOf(b.profile));
  const records: ProbeRecord[] = [];
  let inForce = 'default';
  try {
    for (const plan of plans) {
      const startedAt = new Date();
      let result;
      try {
        if (plan.profile !== inForce) {
          await d.applyPolicy(policyFor({ facts: o.facts, workload: o.workload }, plan.profile));
          inForce = plan.profile;
        }
        const logs: Record<string, string> = {};
        await Promise.all(plan.pods.map(async (spec) => void (logs[spec.name] = (await d.runPod(spec)).logs)));
        result = await judgeKubeProbe(plan, logs, o.facts, o.workload.services.find((s) => s.name === plan.target));
      } catch (err) {
        result = { outcome: 'error' as const, summary: `${plan.probe} could not run: ${(err as Error).message.split('\n')[0]}`, evidence: { error: String(err) } };
      }
      const record = ProbeRecordSchema.parse({
        type: 'probe',
        platform: o.platform,
        mesh: o.mesh,
        workload: o.workload.name,
        probe: plan.probe,
        policy: plan.profile,
        ...result,
        startedAt: startedAt.toISOString(),
        durationMs: Date.now() - startedAt.getTime(),
      });
      records.push(record);
      o.onRecord?.(record);
    }
  } finally {
    if (inForce !== 'default') await d.applyPolicy(policyFor({ facts: o.facts, workload: o.workload }, 'default'));
  }
  return records;
}
