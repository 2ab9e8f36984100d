// The security probes, in report order, and the runner that turns them into ProbeRecords: it puts each probe's policy
// profile in force, bounds its time, turns a crash into an `error` record, and restores the mesh's default policy.
import type { PlatformName, ProbeRecord } from '../reports/schema.ts';
import { ProbeRecord as ProbeRecordSchema } from '../reports/schema.ts';
import { leastPrivilegePolicy, UNAUTHENTICATED, type Mesh, type MeshPolicy } from '../mesh-impls/types.ts';
import type { Deployment } from '../clusters/types.ts';
import type { Workload } from '../workloads/types.ts';
import type { LocalStack } from '../clusters/local/stack.ts';
import type { LocalProbeContext, PolicyProfile, Probe, ProbeResult, ProbeWorkload } from './types.ts';
import { mtlsOnTheWire } from './mtls-on-the-wire.ts';
import { plaintextRejected } from './plaintext-rejected.ts';
import { authzLeastPrivilege } from './authz-least-privilege.ts';
import { workloadIdentity } from './workload-identity.ts';
import { tlsStrength } from './tls-strength.ts';
import { foreignCaRejected } from './foreign-ca-rejected.ts';
import { adminExposure } from './admin-exposure.ts';
import { certRotation } from './cert-rotation.ts';
import { localProbeContext } from './local/context.ts';
import type { KubeProbeDeployment } from './k8s-run.ts';

export const PROBES: readonly Probe<LocalProbeContext>[] = [
  mtlsOnTheWire,
  plaintextRejected,
  authzLeastPrivilege,
  workloadIdentity,
  tlsStrength,
  foreignCaRejected,
  adminExposure,
  certRotation,
];
export const PROBE_IDS = PROBES.map((p) => p.id);
export const POLICY_PROFILES: readonly PolicyProfile[] = ['default', 'strict', 'least-privilege'];

const DEFAULT_TIMEOUT_MS = 60_000;

/** mTLS required everywhere; plaintext only on the ingress entry (the load generator and users come from outside). */
export function strictPolicyOf(workload: ProbeWorkload): MeshPolicy {
  return { default: 'all-authenticated', allow: [{ to: workload.entry.service, port: workload.entry.port, from: [UNAUTHENTICATED] }] };
}

export function policyFor(ctx: Pick<LocalProbeContext, 'facts' | 'workload'>, profile: PolicyProfile): MeshPolicy {
  if (profile === 'default') return ctx.facts.defaultPolicy ?? { default: 'all-unauthenticated', allow: [] };
  if (profile === 'strict') return ctx.facts.strictPolicy ?? strictPolicyOf(ctx.workload);
  return leastPrivilegePolicy(ctx.workload as Workload);
}

export interface RunProbesOptions {
  /** Probe ids to run (default: all). */
  only?: readonly string[];
  /** Include long-profile probes (cert rotation). */
  long?: boolean;
  /** Profile for probes that do not name their own (default: the mesh's default policy). */
  profile?: PolicyProfile;
  onRecord?: (r: ProbeRecord) => void;
}

/** What the bench hands over after a mesh's load phase. */
export interface BenchProbeInput {
  deployment: Deployment;
  workload: Workload;
  mesh: Mesh;
  platform: PlatformName;
}

function isKubeProbeDeployment(d: Deployment): d is Deployment & KubeProbeDeployment {
  return typeof (d as Partial<KubeProbeDeployment>).runPod === 'function';
}

function isContext(x: LocalProbeContext | BenchProbeInput): x is LocalProbeContext {
  return (x as LocalProbeContext).stack !== undefined && (x as LocalProbeContext).facts !== undefined;
}

function validateOnly(only: readonly string[] | undefined): void {
  const unknown = (only ?? []).filter((id) => !PROBE_IDS.includes(id));
  if (unknown.length) throw new Error(`Unknown probe id(s): ${unknown.join(', ')}. Accepted: ${PROBE_IDS.join(', ')}.`);
}

async function withTimeout(p: Promise<ProbeResult>, ms: number, id: string): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: 'error', summary: `${id} did not finish within ${ms / 1000} s.`, evidence: { timeoutMs: ms } }), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the selected probes and returns one validated ProbeRecord per probe and profile. */
export async function runProbes(input: LocalProbeContext | BenchProbeInput, opts: RunProbesOptions = {}): Promise<ProbeRecord[]> {
  validateOnly(opts.only);
  const selected = PROBES.filter((p) => (!opts.only?.length || opts.only.includes(p.id)) && (!p.longOnly || opts.long || opts.only?.includes(p.id)));
  if (!isContext(input)) {
    const bench = input;
    const stack = (bench.deployment as Deployment & { stack?: LocalStack }).stack;
    if (isKubeProbeDeployment(bench.deployment)) {
      const { runKubeProbes, kubeMeshFacts } = await import('./k8s-run.ts');
      return runKubeProbes(bench.deployment, {
        platform: bench.platform,
        mesh: bench.mesh.name,
        workload: bench.workload,
        facts: kubeMeshFacts(bench.mesh.name),
        only: selected.map((p) => p.id),
        onRecord: opts.onRecord,
      });
    }
    if (bench.platform !== 'local' || !stack) {
      // Kubernetes probes run as pods (probePodSpecs in probes/k8s.ts); the cluster drivers run them.
      const at = new Date().toISOString();
      return selected.map((p) =>
        ProbeRecordSchema.parse({
          type: 'probe',
          platform: bench.platform,
          mesh: bench.mesh.name,
          workload: bench.workload.name,
          probe: p.id,
          policy: opts.profile ?? 'default',
          outcome: 'error',
          summary: `Not run: this ${bench.platform} deployment offers neither a local stack nor runPod for probe pods.`,
          evidence: {},
          startedAt: at,
          durationMs: 0,
        }),
      );
    }
    input = await localProbeContext({ stack, workload: bench.workload, mesh: bench.mesh, entryUrl: bench.deployment.entryUrl });
  }
  const ctx = input;
  const tasks = selected.flatMap((probe) => (probe.profiles ?? [opts.profile ?? 'default']).map((profile) => ({ probe, profile })));
  // Fewer policy switches: run everything under one profile before moving to the next.
  tasks.sort((a, b) => POLICY_PROFILES.indexOf(a.profile) - POLICY_PROFILES.indexOf(b.profile));
  const records: ProbeRecord[] = [];
  let inForce: PolicyProfile | undefined = 'default';
  try {
    for (const { probe, profile } of tasks) {
      const startedAt = new Date();
      let result: ProbeResult;
      try {
        if (!probe.appliesTo(ctx.platform, ctx.mesh)) {
          result = { outcome: 'not-applicable', summary: `${probe.id} does not apply to ${ctx.mesh} on ${ctx.platform}.`, evidence: {} };
        } else {
          if (profile !== inForce) {
            inForce = undefined;
            await ctx.applyPolicy(policyFor(ctx, profile));
            inForce = profile;
          }
          ctx.log?.(`probe ${probe.id} (${profile})`);
          result = await withTimeout(probe.run(ctx), probe.timeoutMs ?? DEFAULT_TIMEOUT_MS, probe.id);
        }
      } catch (err) {
        result = { outcome: 'error', summary: `${probe.id} could not run: ${(err as Error).message.split('\n')[0]}`, evidence: { error: (err as Error).stack ?? String(err) } };
      }
      const record = ProbeRecordSchema.parse({
        type: 'probe',
        platform: ctx.platform,
        mesh: ctx.mesh,
        workload: ctx.workload.name,
        probe: probe.id,
        policy: profile,
        outcome: result.outcome,
        summary: result.summary,
        evidence: result.evidence,
        startedAt: startedAt.toISOString(),
        durationMs: Date.now() - startedAt.getTime(),
      });
      records.push(record);
      opts.onRecord?.(record);
    }
  } finally {
    if (inForce !== 'default') await ctx.applyPolicy(policyFor(ctx, 'default'));
  }
  return records;
}

/** The results matrix as text: one row per probe, one column per profile run. */
export function formatMatrix(records: readonly ProbeRecord[]): string {
  const profiles = POLICY_PROFILES.filter((p) => records.some((r) => r.policy === p));
  const rows = PROBE_IDS.filter((id) => records.some((r) => r.probe === id));
  const cell = (id: string, p: string) => records.find((r) => r.probe === id && r.policy === p)?.outcome ?? '';
  const w = Math.max(...rows.map((r) => r.length), 5) + 2;
  const lines = [`${'probe'.padEnd(w)}${profiles.map((p) => p.padEnd(17)).join('')}`];
  for (const id of rows) lines.push(`${id.padEnd(w)}${profiles.map((p) => cell(id, p).padEnd(17)).join('')}`);
  lines.push('');
  for (const r of records) lines.push(`${r.probe} [${r.policy}] ${r.outcome.toUpperCase()}: ${r.summary}`);
  return lines.join('\n');
}
