// Seeded generator of complete, schema-valid Results for tests and the report benchmark. Every scenario carries a
// real encoded HDR histogram built from sampled latencies, so the report's merge path runs exactly as on bench output.
// Test input for a pure builder, not a measurement: never write its output where real results live.
import { seededRandom } from '../workloads/load/rng.ts';
import { createLatencyHistogram, encodeHistogram, summarize } from '../workloads/load/histogram.ts';
import { SCHEMA_VERSION, scenarioId } from './schema.ts';
import type {
  FailureRecord, InstallRecord, MaxRpsRecord, PlatformName, ProbeOutcome, ProbeRecord, ProcessResources, RequestStats,
  Results, ScenarioRecord,
} from './schema.ts';

/** How one mesh behaves in the generated run. Latencies in ms, capacity in req/s, memory in MB. */
export interface MeshProfile {
  addedMs: number;
  capacityRps: number;
  proxyCpuPer1kRps: number;
  proxyRssMb: number;
  controlPlane: { process: string; cpuCores: number; rssMb: number }[];
  install: { timeToReadyMs: number; steps: number; objects: number; crds: number };
  /** Probe id → outcome under the default and the strict policy profile. */
  probes: Record<string, { default: ProbeOutcome; strict: ProbeOutcome }>;
}

export interface FixtureOptions {
  seed?: number;
  meshes?: string[];
  levels?: number[];
  reps?: number;
  platform?: PlatformName;
  workload?: string;
  durationS?: number;
  /** Overrides merged into the default profile of a mesh. */
  profiles?: Record<string, Partial<MeshProfile>>;
  /** Meshes whose install fails: a FailureRecord with a log excerpt, and no scenarios or probes. */
  failedInstall?: string[];
  /** One (mesh, level) cell whose last repetition runs 1.8× slower, so the cell is flagged noisy. */
  noisyCell?: { mesh: string; targetRps: number };
  maxRps?: boolean;
}

export const PROBE_IDS = [
  'mtls-on-the-wire', 'plaintext-rejected', 'authz-least-privilege', 'workload-identity', 'tls-strength',
  'foreign-ca-rejected', 'admin-exposure',
] as const;

const allProbes = (d: ProbeOutcome, s: ProbeOutcome) => Object.fromEntries(PROBE_IDS.map((p) => [p, { default: d, strict: s }]));

export const DEFAULT_PROFILES: Record<string, MeshProfile> = {
  none: {
    addedMs: 0, capacityRps: 2400, proxyCpuPer1kRps: 0, proxyRssMb: 0, controlPlane: [],
    install: { timeToReadyMs: 1_500, steps: 1, objects: 24, crds: 0 },
    probes: allProbes('fail', 'fail'),
  },
  linkerd: {
    addedMs: 0.7, capacityRps: 1900, proxyCpuPer1kRps: 0.09, proxyRssMb: 18,
    controlPlane: [{ process: 'destination', cpuCores: 0.02, rssMb: 60 }, { process: 'identity', cpuCores: 0.005, rssMb: 30 }, { process: 'proxy-injector', cpuCores: 0.004, rssMb: 35 }],
    install: { timeToReadyMs: 95_000, steps: 7, objects: 96, crds: 12 },
    probes: { ...allProbes('pass', 'pass'), 'plaintext-rejected': { default: 'fail', strict: 'pass' }, 'authz-least-privilege': { default: 'fail', strict: 'pass' }, 'admin-exposure': { default: 'fail', strict: 'fail' } },
  },
  consul: {
    addedMs: 1.6, capacityRps: 1500, proxyCpuPer1kRps: 0.16, proxyRssMb: 55,
    controlPlane: [{ process: 'consul-server', cpuCores: 0.03, rssMb: 120 }, { process: 'connect-injector', cpuCores: 0.01, rssMb: 70 }],
    install: { timeToReadyMs: 140_000, steps: 5, objects: 120, crds: 25 },
    probes: { ...allProbes('pass', 'pass'), 'plaintext-rejected': { default: 'pass', strict: 'pass' }, 'authz-least-privilege': { default: 'fail', strict: 'pass' }, 'admin-exposure': { default: 'fail', strict: 'fail' } },
  },
  custom: {
    addedMs: 1.1, capacityRps: 700, proxyCpuPer1kRps: 0.2, proxyRssMb: 45,
    controlPlane: [{ process: 'control-plane', cpuCores: 0.01, rssMb: 70 }],
    install: { timeToReadyMs: 8_000, steps: 2, objects: 30, crds: 0 },
    probes: { ...allProbes('pass', 'pass'), 'plaintext-rejected': { default: 'pass', strict: 'pass' }, 'authz-least-privilege': { default: 'pass', strict: 'pass' } },
  },
};

const APP_PODS = ['frontend', 'checkoutservice', 'productcatalogservice', 'currencyservice', 'cartservice', 'redis-cart'];
const STEPS = [{ name: 'home', weight: 3, ms: 2.2 }, { name: 'product', weight: 5, ms: 2.8 }, { name: 'cart', weight: 2, ms: 3.5 }, { name: 'checkout', weight: 1, ms: 7 }];
/** Latency samples per scenario; each stands for requests/SAMPLES real requests (recorded with that count). */
const SAMPLES = 800;

/** Seeded test data: the load engine's generator (mulberry32). */
export const rng = seededRandom;

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

// The same histogram configuration as the load engine (workloads/load/histogram.ts), so fixtures merge like bench output.
function statsOf(h: ReturnType<typeof createLatencyHistogram>, errors: number): RequestStats {
  return {
    requests: h.totalCount,
    errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: errors, grpc: {}, other: 0 },
    latencyMs: summarize(h),
    histogram: encodeHistogram(h),
  };
}

export function generateResults(opts: FixtureOptions = {}): Results {
  const seed = opts.seed ?? 1;
  const r = rng(seed);
  const meshes = opts.meshes ?? ['none', 'linkerd', 'consul', 'custom'];
  const levels = opts.levels ?? [100, 200, 400, 800, 1600];
  const reps = opts.reps ?? 5;
  const platform = opts.platform ?? 'local';
  const workload = opts.workload ?? 'online-boutique';
  const durationS = opts.durationS ?? 30;
  const failed = new Set(opts.failedInstall ?? []);
  const profile = (m: string): MeshProfile => ({ ...(DEFAULT_PROFILES[m] ?? DEFAULT_PROFILES.custom), ...(opts.profiles?.[m] ?? {}) });
  let clock = Date.UTC(2026, 10, 20, 1, 0, 0) + (seed % 1000) * 60_000;
  const at = (advanceS: number) => { const s = new Date(clock).toISOString(); clock += advanceS * 1000; return s; };

  const results: Results = {
    schemaVersion: SCHEMA_VERSION,
    meta: {
      runId: `fixture-${seed}`, harnessVersion: '0.1.0', gitCommit: '0000000fixture', startedAt: at(0), endedAt: null, seed,
      commandLine: `npm run bench -- --platform ${platform} --meshes ${meshes.join(',')} --rps ${levels.join(',')} --reps ${reps} --seed ${seed}`,
      config: { platform, meshes, rps: levels, reps, durationS, warmupS: 5, workload, generator: 'reports/fixtures.ts' },
      host: { cpuModel: 'Fixture CPU @ 2.0GHz', cores: 2, memoryBytes: 8 * 1024 ** 3, kernel: '6.1.0-fixture', os: 'Debian GNU/Linux 12', hostname: 'fixture' },
      nodeVersion: 'v20.20.2',
      meshVersions: Object.fromEntries(meshes.map((m) => [m, m === 'linkerd' ? 'edge-26.8.3' : m === 'consul' ? '1.22.1' : m === 'custom' ? '0.1.0' : '-'])),
      toolVersions: { tcpdump: '4.99.3', openssl: '3.0.17' },
    },
    scenarios: [], probes: [], installs: [], failures: [], maxRps: [],
  };

  for (const mesh of meshes.filter((m) => failed.has(m))) {
    results.failures.push({
      type: 'failure', platform, mesh, workload, stage: 'install', rep: 1, at: at(3),
      message: `${mesh} control plane did not become ready within 300 s`,
      logExcerpt: `[${mesh}] waiting for control plane...\n[${mesh}] error: readiness probe failed: connection refused (198.18.0.9:8443)\n[${mesh}] giving up after 300 s`,
    });
  }
  const live = meshes.filter((m) => !failed.has(m));

  for (let rep = 1; rep <= reps; rep++) {
    // Seeded shuffle of the mesh order per repetition, as the bench does.
    const order = [...live].sort(() => r() - 0.5);
    for (const [pos, mesh] of order.entries()) {
      const p = profile(mesh);
      results.installs.push({
        type: 'install', platform, mesh, workload, rep, timeToReadyMs: Math.round(p.install.timeToReadyMs * (1 + 0.05 * gaussian(r))),
        steps: p.install.steps, objects: p.install.objects, crds: p.install.crds, meshedPods: mesh === 'none' ? 0 : APP_PODS.length, totalPods: APP_PODS.length,
      });
      for (const targetRps of levels) results.scenarios.push(scenario({ r, rep, pos, mesh, p, targetRps, platform, workload, durationS, at, noisy: opts.noisyCell?.mesh === mesh && opts.noisyCell.targetRps === targetRps && rep === reps }));
    }
  }

  for (const mesh of live) {
    const p = profile(mesh);
    for (const policy of ['default', 'strict'] as const) {
      for (const probe of PROBE_IDS) {
        const outcome = p.probes[probe]?.[policy] ?? 'not-applicable';
        results.probes.push({
          type: 'probe', platform, mesh, workload, probe, policy, outcome, startedAt: at(2), durationMs: Math.round(500 + 3000 * r()),
          summary: `${probe} under ${policy} policy: ${outcome}`,
          evidence: { packets: Math.round(200 + 800 * r()), tlsVersion: outcome === 'pass' ? 'TLSv1.3' : 'none', note: `${mesh}/${policy}` },
        });
      }
    }
    if (opts.maxRps ?? true) results.maxRps.push(maxRps(mesh, p, platform, workload));
  }
  results.meta.endedAt = at(0);
  return results;
}

function scenario(a: {
  r: () => number; rep: number; pos: number; mesh: string; p: MeshProfile; targetRps: number; platform: PlatformName; workload: string;
  durationS: number; at: (s: number) => string; noisy: boolean;
}): ScenarioRecord {
  const { r, p, targetRps } = a;
  const saturated = targetRps > p.capacityRps;
  const achievedRps = saturated ? p.capacityRps * (0.96 + 0.03 * r()) : targetRps * (0.995 + 0.005 * r());
  // Queueing: latency grows as utilisation nears 1; beyond capacity the open-model queue explodes.
  const rho = Math.min(targetRps / p.capacityRps, 0.97);
  const load = saturated ? 25 : 1 + 0.4 * (rho / (1 - rho));
  const repFactor = Math.exp(0.04 * gaussian(r)) * (a.noisy ? 1.8 : 1);
  const requests = Math.round(achievedRps * a.durationS);
  const total = createLatencyHistogram();
  const steps: Record<string, RequestStats> = {};
  const weightSum = STEPS.reduce((s, x) => s + x.weight, 0);
  for (const step of STEPS) {
    const h = createLatencyHistogram();
    const n = Math.round((SAMPLES * step.weight) / weightSum);
    const count = Math.max(1, Math.round(requests / SAMPLES));
    for (let i = 0; i < n; i++) {
      const tail = r() < 0.012 ? 1.5 + 1.5 * r() : 1;
      const ms = (step.ms + a.p.addedMs * (1 + 0.3 * gaussian(r) ** 2)) * load * repFactor * Math.exp(0.2 * gaussian(r)) * tail;
      h.recordValueWithCount(Math.max(1, Math.round(ms * 1000)), count);
    }
    total.add(h);
    steps[step.name] = statsOf(h, 0);
  }
  const errors = saturated ? Math.round(requests * 0.004) : 0;
  const key = { platform: a.platform, mesh: a.mesh, workload: a.workload, targetRps, rep: a.rep };
  const warmupS = 5;
  const startedAt = a.at(warmupS + a.durationS);
  return {
    type: 'scenario', ...key, id: scenarioId(key), order: a.pos, startedAt, endedAt: a.at(2), warmupS, durationS: a.durationS,
    achievedRps: Math.round(achievedRps * 100) / 100, engine: 'builtin', total: statsOf(total, errors), steps,
    resources: resources(a.mesh, p, achievedRps, r),
  };
}

function resources(mesh: string, p: MeshProfile, rps: number, r: () => number): ProcessResources[] {
  const mb = (x: number) => Math.round(x * 1024 * 1024);
  const jitter = () => 1 + 0.08 * gaussian(r);
  const out: ProcessResources[] = [];
  for (const pod of APP_PODS) {
    const appCpu = (0.05 + 0.15 * (rps / 1000)) * jitter();
    out.push({ pod, process: pod, role: 'app', cpuMeanCores: Math.max(0, appCpu), cpuPeakCores: Math.max(0, appCpu * 1.6), rssPeakBytes: mb(40 * jitter()), samples: 30 });
    if (mesh !== 'none') {
      const cpu = Math.max(0.001, p.proxyCpuPer1kRps * (rps / 1000) * jitter());
      out.push({ pod, process: `${mesh}-proxy`, role: 'proxy', cpuMeanCores: cpu, cpuPeakCores: cpu * 1.5, rssPeakBytes: mb(p.proxyRssMb * (1 + rps / 8000) * jitter()), samples: 30 });
    }
  }
  for (const cp of p.controlPlane) {
    out.push({ pod: `${mesh}-control-plane`, process: cp.process, role: 'control-plane', cpuMeanCores: cp.cpuCores * jitter(), cpuPeakCores: cp.cpuCores * 2, rssPeakBytes: mb(cp.rssMb * jitter()), samples: 30 });
  }
  out.push({ pod: 'loadgen', process: 'meshbench-load', role: 'load', cpuMeanCores: 0.2 * (rps / 1000), cpuPeakCores: 0.3 * (rps / 1000), rssPeakBytes: mb(90), samples: 30 });
  return out;
}

function maxRps(mesh: string, p: MeshProfile, platform: PlatformName, workload: string): MaxRpsRecord {
  // A bisection between 100 req/s and 3200 req/s against the profile's capacity, like the bench's bounded search.
  const steps: MaxRpsRecord['steps'] = [];
  let lo = 100, hi = 3200, best: number | null = null;
  for (let i = 0; i < 6; i++) {
    const rps = i === 0 ? lo : Math.round((lo + hi) / 2);
    const met = rps <= p.capacityRps * 0.9;
    steps.push({ rps, met, p99Ms: met ? 12 + p.addedMs * 3 : 180, errorRate: met ? 0 : 0.004, achievedRps: Math.min(rps, p.capacityRps), reason: met ? 'p99 and errors within SLO' : 'p99 above 50 ms' });
    if (met) { best = rps; lo = rps; } else { hi = rps; if (i === 0) break; }
  }
  return { type: 'max-rps', platform, mesh, workload, slo: 'p99<50ms,errors<0.1%', maxRps: best, steps };
}

export type { FailureRecord, InstallRecord, ProbeRecord };
