// Turns scenario records into report cells: one per (platform, mesh, workload, target rate), pooling the repetitions.
// Percentiles come from the merged HDR histogram of all repetitions (never an average of percentiles); the spread
// across repetitions is shown beside them so a reader sees how much a number moved between runs.
import * as hdr from 'hdr-histogram-js';
import type { ErrorCounts, LatencySummary, PlatformName, ProcessResources, Results, ScenarioRecord } from './schema.ts';

export const PERCENTILES = ['p50', 'p90', 'p99', 'p999', 'max'] as const;
export type Percentile = (typeof PERCENTILES)[number];
export const PERCENTILE_LABEL: Record<Percentile, string> = { p50: 'p50', p90: 'p90', p99: 'p99', p999: 'p99.9', max: 'max' };

/** Achieved rate below this share of the target marks a saturated scenario (issue 3: short by more than 5 %). */
export const SATURATION_SHARE = 0.95;
/** (max − min) / median of a repetition metric above this marks a noisy cell. */
export const NOISY_RELATIVE_SPREAD = 0.25;

export interface Spread { median: number; min: number; max: number; ci95?: [number, number] }

export interface ResourceSummary {
  proxies: number;
  /** Mean over proxies of each proxy's mean CPU, and the busiest proxy's peak RSS. */
  perProxyCpuCores: number;
  perProxyRssPeakMb: number;
  proxiesCpuCores: number;
  proxiesRssPeakMb: number;
  controlPlaneCpuCores: number;
  controlPlaneRssPeakMb: number;
  /** Proxies plus control plane: what the mesh costs on top of the application. */
  meshCpuCores: number;
  meshRssPeakMb: number;
}

export interface Cell {
  key: string;
  platform: PlatformName;
  mesh: string;
  workload: string;
  targetRps: number;
  reps: number;
  requests: number;
  errors: number;
  errorRate: number;
  /** Percentiles of the merged histogram, in ms. */
  latency: LatencySummary;
  /** Per-repetition percentile spread, in ms. */
  spread: Record<Percentile, Spread>;
  achievedRps: Spread;
  saturated: boolean;
  noisy: boolean;
  /** Why the cell is noisy, e.g. "p99 spread 41 % of median". */
  noisyReason?: string;
  /** HDR percentile curve of the merged histogram: percentile (0–100) → latency ms. */
  curve: { percentile: number; ms: number }[];
  resources: ResourceSummary;
  /** Repetition spread of the mesh's total cost, for telling a real change from noise. */
  resourceSpread: { meshCpuCores: Spread; meshRssPeakMb: Spread };
}

export function cellKey(k: { platform: string; mesh: string; workload: string; targetRps: number }): string {
  return `${k.platform}/${k.mesh}/${k.workload}/${k.targetRps}`;
}

export function newHistogram() {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

/** Merges encoded histograms (values in µs). */
export function mergeEncoded(encoded: string[]) {
  const acc = newHistogram();
  for (const e of encoded) {
    const h = hdr.decodeFromCompressedBase64(e);
    acc.add(h);
    h.destroy();
  }
  return acc;
}

export function spreadOf(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return { median: NaN, min: NaN, max: NaN };
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}

export function errorTotal(e: ErrorCounts): number {
  return e.connect + e.timeout + e.http4xx + e.http5xx + e.other + Object.values(e.grpc).reduce((a, b) => a + b, 0);
}

// Percentiles at which the distribution curve is drawn: dense in the tail, where meshes differ.
const CURVE_POINTS = [0, 10, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.75, 99.9, 99.95, 99.975, 99.99, 99.995, 99.999];

export function summarize(h: ReturnType<typeof newHistogram>): LatencySummary {
  const ms = (us: number) => us / 1000;
  return {
    min: ms(h.minNonZeroValue), mean: ms(h.mean), p50: ms(h.getValueAtPercentile(50)), p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)), p999: ms(h.getValueAtPercentile(99.9)), max: ms(h.maxValue),
  };
}

function resourceSummary(perRep: ProcessResources[][]): { summary: ResourceSummary; spread: Cell['resourceSpread'] } {
  const mb = (b: number) => b / (1024 * 1024);
  const rows = perRep.map((procs) => {
    const proxies = procs.filter((p) => p.role === 'proxy');
    const cp = procs.filter((p) => p.role === 'control-plane');
    const sum = (xs: ProcessResources[], f: (p: ProcessResources) => number) => xs.reduce((a, p) => a + f(p), 0);
    const proxiesCpu = sum(proxies, (p) => p.cpuMeanCores);
    const proxiesRss = mb(sum(proxies, (p) => p.rssPeakBytes));
    const cpCpu = sum(cp, (p) => p.cpuMeanCores);
    const cpRss = mb(sum(cp, (p) => p.rssPeakBytes));
    return {
      proxies: proxies.length,
      perProxyCpuCores: proxies.length ? proxiesCpu / proxies.length : 0,
      perProxyRssPeakMb: proxies.length ? Math.max(...proxies.map((p) => mb(p.rssPeakBytes))) : 0,
      proxiesCpuCores: proxiesCpu, proxiesRssPeakMb: proxiesRss, controlPlaneCpuCores: cpCpu, controlPlaneRssPeakMb: cpRss,
      meshCpuCores: proxiesCpu + cpCpu, meshRssPeakMb: proxiesRss + cpRss,
    };
  });
  const keys = Object.keys(rows[0]) as (keyof ResourceSummary)[];
  return {
    summary: Object.fromEntries(keys.map((k) => [k, spreadOf(rows.map((r) => r[k])).median])) as unknown as ResourceSummary,
    spread: { meshCpuCores: spreadOf(rows.map((r) => r.meshCpuCores)), meshRssPeakMb: spreadOf(rows.map((r) => r.meshRssPeakMb)) },
  };
}

export function buildCell(reps: ScenarioRecord[]): Cell {
  const first = reps[0];
  const merged = mergeEncoded(reps.map((s) => s.total.histogram));
  const latency = summarize(merged);
  const curve = CURVE_POINTS.map((q) => ({ percentile: q, ms: merged.getValueAtPercentile(q) / 1000 }));
  curve.push({ percentile: 100, ms: merged.maxValue / 1000 });
  merged.destroy();
  const spread = Object.fromEntries(PERCENTILES.map((p) => [p, spreadOf(reps.map((s) => s.total.latencyMs[p]))])) as Record<Percentile, Spread>;
  const achievedRps = spreadOf(reps.map((s) => s.achievedRps));
  const res = resourceSummary(reps.map((s) => s.resources));
  const requests = reps.reduce((a, s) => a + s.total.requests, 0);
  const errors = reps.reduce((a, s) => a + errorTotal(s.total.errors), 0);
  const saturated = achievedRps.median < first.targetRps * SATURATION_SHARE;
  const noisyOn = (['p50', 'p99'] as const).find((p) => reps.length > 1 && (spread[p].max - spread[p].min) / spread[p].median > NOISY_RELATIVE_SPREAD);
  return {
    key: cellKey(first), platform: first.platform, mesh: first.mesh, workload: first.workload, targetRps: first.targetRps,
    reps: reps.length, requests, errors, errorRate: requests ? errors / requests : 0, latency, spread, achievedRps, saturated,
    noisy: noisyOn !== undefined,
    noisyReason: noisyOn && `${PERCENTILE_LABEL[noisyOn]} spread ${Math.round((100 * (spread[noisyOn].max - spread[noisyOn].min)) / spread[noisyOn].median)} % of median across ${reps.length} reps`,
    curve, resources: res.summary, resourceSpread: res.spread,
  };
}

/** Cells sorted by platform, workload, mesh, rate. Max-RPS search steps are excluded: they are not a sweep level. */
export function buildCells(results: Results): Cell[] {
  const groups = new Map<string, ScenarioRecord[]>();
  for (const s of results.scenarios) {
    if (s.maxRpsSearchStep !== undefined) continue;
    const k = cellKey(s);
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return [...groups.values()].map(buildCell).sort((a, b) =>
    a.platform.localeCompare(b.platform) || a.workload.localeCompare(b.workload) || a.mesh.localeCompare(b.mesh) || a.targetRps - b.targetRps);
}

export const BASELINE_MESH = 'none';

export interface Overhead {
  cell: Cell;
  baseline: Cell;
  /** Added latency in ms per percentile: merged mesh − merged baseline, with the widest range the rep spreads allow. */
  added: Record<Percentile, { ms: number; lo: number; hi: number }>;
  /** Either side saturated: the difference is queueing, not mesh overhead. */
  saturated: boolean;
}

export function overheads(cells: Cell[]): Overhead[] {
  const base = new Map(cells.filter((c) => c.mesh === BASELINE_MESH).map((c) => [cellKey({ ...c, mesh: BASELINE_MESH }), c]));
  const out: Overhead[] = [];
  for (const cell of cells) {
    if (cell.mesh === BASELINE_MESH) continue;
    const baseline = base.get(cellKey({ ...cell, mesh: BASELINE_MESH }));
    if (!baseline) continue;
    const added = Object.fromEntries(PERCENTILES.map((p) => [p, {
      ms: cell.latency[p] - baseline.latency[p],
      lo: cell.spread[p].min - baseline.spread[p].max,
      hi: cell.spread[p].max - baseline.spread[p].min,
    }])) as Overhead['added'];
    out.push({ cell, baseline, added, saturated: cell.saturated || baseline.saturated });
  }
  return out;
}
