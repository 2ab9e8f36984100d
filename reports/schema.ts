// The results format: what a bench run writes and what the report reads.
// results.ndjson holds one Record per line, appended as each piece of evidence is finished;
// results.json is the validated merge (Results). Bump SCHEMA_VERSION on any incompatible change.
import { z } from 'zod';

export const SCHEMA_VERSION = 1;

export const PlatformName = z.enum(['local', 'kind', 'kubernetes']);
export type PlatformName = z.infer<typeof PlatformName>;

/** Latency summary in milliseconds, read from an HDR histogram. */
export const LatencySummary = z.object({
  min: z.number().nonnegative(),
  mean: z.number().nonnegative(),
  p50: z.number().nonnegative(),
  p90: z.number().nonnegative(),
  p99: z.number().nonnegative(),
  p999: z.number().nonnegative(),
  max: z.number().nonnegative(),
});
export type LatencySummary = z.infer<typeof LatencySummary>;

/** Failed requests by class. `grpc` maps a gRPC status code (as a string) to a count. */
export const ErrorCounts = z.object({
  connect: z.number().int().nonnegative(),
  timeout: z.number().int().nonnegative(),
  http4xx: z.number().int().nonnegative(),
  http5xx: z.number().int().nonnegative(),
  grpc: z.record(z.string(), z.number().int().nonnegative()),
  other: z.number().int().nonnegative(),
});
export type ErrorCounts = z.infer<typeof ErrorCounts>;

/** One request kind (journey step, or the whole run): counts, errors, latency and the encoded histogram. */
export const RequestStats = z.object({
  requests: z.number().int().nonnegative(),
  errors: ErrorCounts,
  latencyMs: LatencySummary,
  /** HDR histogram, base64 compressed encoding (hdr-histogram-js encodeIntoCompressedBase64), values in µs. */
  histogram: z.string(),
});
export type RequestStats = z.infer<typeof RequestStats>;

/** CPU and memory of one process over a measured window, read from /proc (or the kubelet on Kubernetes). */
export const ProcessResources = z.object({
  pod: z.string(),
  process: z.string(),
  role: z.enum(['app', 'proxy', 'control-plane', 'infra', 'load']),
  cpuMeanCores: z.number().nonnegative(),
  cpuPeakCores: z.number().nonnegative(),
  rssPeakBytes: z.number().int().nonnegative(),
  samples: z.number().int().nonnegative(),
});
export type ProcessResources = z.infer<typeof ProcessResources>;

export const ScenarioKey = z.object({
  platform: PlatformName,
  mesh: z.string(),
  workload: z.string(),
  targetRps: z.number().positive(),
  rep: z.number().int().positive(),
});
export type ScenarioKey = z.infer<typeof ScenarioKey>;

export const ScenarioRecord = ScenarioKey.extend({
  type: z.literal('scenario'),
  id: z.string(),
  /** Position of this mesh in the repetition's shuffled order (0-based). */
  order: z.number().int().nonnegative(),
  startedAt: z.string(),
  endedAt: z.string(),
  warmupS: z.number().nonnegative(),
  durationS: z.number().positive(),
  achievedRps: z.number().nonnegative(),
  engine: z.string(),
  total: RequestStats,
  /** Per request kind (journey step name → stats). */
  steps: z.record(z.string(), RequestStats),
  resources: z.array(ProcessResources),
  /** Set when the search for the highest rate under the SLO produced this scenario. */
  maxRpsSearchStep: z.number().int().nonnegative().optional(),
});
export type ScenarioRecord = z.infer<typeof ScenarioRecord>;

export const ProbeOutcome = z.enum(['pass', 'fail', 'not-applicable', 'error']);
export type ProbeOutcome = z.infer<typeof ProbeOutcome>;

export const ProbeRecord = z.object({
  type: z.literal('probe'),
  platform: PlatformName,
  mesh: z.string(),
  workload: z.string(),
  probe: z.string(),
  /** Which mesh policy profile was in force: the mesh's default, or its strict profile. */
  policy: z.string().default('default'),
  outcome: ProbeOutcome,
  summary: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
});
export type ProbeRecord = z.infer<typeof ProbeRecord>;

/** How a mesh was installed on the platform: the operational cost a team pays. */
export const InstallRecord = z.object({
  type: z.literal('install'),
  platform: PlatformName,
  mesh: z.string(),
  workload: z.string(),
  rep: z.number().int().positive(),
  timeToReadyMs: z.number().nonnegative(),
  steps: z.number().int().nonnegative(),
  objects: z.number().int().nonnegative(),
  crds: z.number().int().nonnegative(),
  meshedPods: z.number().int().nonnegative(),
  totalPods: z.number().int().nonnegative(),
});
export type InstallRecord = z.infer<typeof InstallRecord>;

/** Something that failed: kept, shown in the report, never silently dropped. */
export const FailureRecord = z.object({
  type: z.literal('failure'),
  platform: PlatformName,
  mesh: z.string(),
  workload: z.string(),
  stage: z.enum(['install', 'deploy', 'verify', 'load', 'probe', 'teardown', 'max-rps']),
  rep: z.number().int().positive().optional(),
  targetRps: z.number().positive().optional(),
  message: z.string(),
  logExcerpt: z.string().default(''),
  at: z.string(),
});
export type FailureRecord = z.infer<typeof FailureRecord>;

/** Result of the search for the highest rate meeting the SLO; each step is a ScenarioRecord with maxRpsSearchStep. */
export const MaxRpsRecord = z.object({
  type: z.literal('max-rps'),
  platform: PlatformName,
  mesh: z.string(),
  workload: z.string(),
  slo: z.string(),
  maxRps: z.number().nonnegative().nullable(),
  steps: z.array(z.object({ rps: z.number().positive(), met: z.boolean(), p99Ms: z.number(), errorRate: z.number(), achievedRps: z.number(), reason: z.string() })),
});
export type MaxRpsRecord = z.infer<typeof MaxRpsRecord>;

export const ResultRecord = z.discriminatedUnion('type', [ScenarioRecord, ProbeRecord, InstallRecord, FailureRecord, MaxRpsRecord]);
export type ResultRecord = z.infer<typeof ResultRecord>;

export const RunMeta = z.object({
  runId: z.string(),
  harnessVersion: z.string(),
  gitCommit: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  seed: z.number().int(),
  commandLine: z.string(),
  config: z.record(z.string(), z.unknown()),
  host: z.object({
    cpuModel: z.string(),
    cores: z.number().int().positive(),
    memoryBytes: z.number().int().positive(),
    kernel: z.string(),
    os: z.string(),
    hostname: z.string(),
  }),
  nodeVersion: z.string(),
  /** Mesh name → its version string (and component versions where useful). */
  meshVersions: z.record(z.string(), z.string()),
  /** Tool name → version string, as printed by the tool itself. */
  toolVersions: z.record(z.string(), z.string()),
});
export type RunMeta = z.infer<typeof RunMeta>;

export const Results = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  meta: RunMeta,
  scenarios: z.array(ScenarioRecord),
  probes: z.array(ProbeRecord),
  installs: z.array(InstallRecord),
  failures: z.array(FailureRecord),
  maxRps: z.array(MaxRpsRecord),
});
export type Results = z.infer<typeof Results>;

/** Validates parsed JSON as Results; the error names every bad field by its path. */
export function parseResults(data: unknown, source = 'results'): Results {
  const parsed = Results.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 10).map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new Error(
    `${source} does not match the meshbench results schema v${SCHEMA_VERSION}:\n${problems.join('\n')}\n` +
      `Fix: re-run the bench that produced it, or re-create results.json from results.ndjson with \`npm run report -- DIR\`.`,
  );
}

export function scenarioId(k: ScenarioKey): string {
  return `${k.platform}/${k.mesh}/${k.workload}/rps=${k.targetRps}/rep=${k.rep}`;
}
