// Turns scenario records into report cells: one per (platform, mesh, workload, target rate), pooling the repetitions.
// Percentiles come from the merged HDR histogram of all repetitions (never an average of percentiles); the spread
// across repetitions is shown beside them so a reader sees how much a number moved between runs.
import { decodeHistogram, summarize } from '../workloads/load/histogram.ts';
import { NOISY_SPREAD, SATURATION_RATIO, aggregateReps, errorRate, median, spreadOf as statsSpread, type MetricSpread } from '../workloads/load/stats.ts';
import { totalErrors } from '../workloads/load/errors.ts';
import type { LatencySummary, PlatformName, ProcessResources, Results, ScenarioRecord } from './schema.ts';

// Statistics across repetitions (merging, spread, bootstrap interval, noisy and saturated flags) come from
// workloads/load/stats.ts, so the bench and the report judge a scenario by the same rules.
export const PERCENTILES = ['p50', 'p90', 'p99', 'p999', 'max'] as const;
export type Percentile = (typeof PERCENTILES)[number];
export const PERCENTILE_LABEL: Record<Percentile, string> = { p50: 'p50', p90: 'p90', p99: 'p99', p999: 'p99.9', max: 'max' };
export { NOISY_SPREAD, SATURATION_RATIO };

/** Median and min–max over repetitions, with a bootstrap 95 % interval of the median when there are ≥ 3. */
export type Spread = Pick<MetricSpread, 'median' | 'min' | 'max' | 'ci95'>;

export function spreadOf(values: number[]): Spread {
  return values.length ? statsSpread(values) : { median: NaN, min: NaN, max: NaN };
}

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
  /** Any repetition achieved less than 95 % of the target (stats.ts): its latency is not an overhead figure. */
  saturated: boolean;
  saturatedReps: number;
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

// Percentiles at which the distribution curve is drawn: dense in the tail, where meshes differ.
const CURVE_POINTS = [0, 10, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.75, 99.9, 99.95, 99.975, 99.99, 99.995, 99.999];

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
    summary: Object.fromEntries(keys.map((k) => [k, median(rows.map((r) => r[k]))])) as unknown as ResourceSummary,
    spread: { meshCpuCores: spreadOf(rows.map((r) => r.meshCpuCores)), meshRssPeakMb: spreadOf(rows.map((r) => r.meshRssPeakMb)) },
  };
}

export function buildCell(reps: ScenarioRecord[]): Cell {
  const first = reps[0];
  // Steps are left out: the report draws the whole journey, and merging every step would double the work.
  let agg: ReturnType<typeof aggregateReps>;
  try {
    agg = aggregateReps(reps.map((s) => ({ targetRps: s.targetRps, achievedRps: s.achievedRps, total: s.total, steps: {} })));
  } catch (err) {
    // The schema only knows the histogram is a string; a damaged one shows up here, so name the scenarios.
    throw new Error(`scenarios ${reps.map((s) => s.id).join(', ')}: total.histogram cannot be decoded (${(err as Error).message}). ` +
      'Fix: re-run these scenarios (`npm run bench -- --resume DIR` after removing them) or restore results.ndjson.');
  }
  const merged = decodeHistogram(agg.total.histogram);
  const curve = CURVE_POINTS.map((q) => ({ percentile: q, ms: merged.getValueAtPercentile(q) / 1000 }));
  curve.push({ percentile: 100, ms: merged.maxValue / 1000 });
  const spread = { p50: agg.metrics.p50, p90: agg.metrics.p90, p99: agg.metrics.p99, p999: agg.metrics.p999, max: agg.metrics.max };
  const res = resourceSummary(reps.map((s) => s.resources));
  return {
    key: cellKey(first), platform: first.platform, mesh: first.mesh, workload: first.workload, targetRps: first.targetRps,
    reps: reps.length, requests: agg.total.requests, errors: totalErrors(agg.total.errors), errorRate: errorRate(agg.total),
    latency: summarize(merged), spread, achievedRps: agg.metrics.achievedRps, saturated: agg.saturated, noisy: agg.noisy,
    noisyReason: agg.noisy
      ? agg.noisyMetrics.map((m) => `${m in PERCENTILE_LABEL ? PERCENTILE_LABEL[m as Percentile] : m} spread ${Math.round(100 * agg.metrics[m].relativeSpread)} % of median`).join(', ') + ` across ${reps.length} reps`
      : undefined,
    saturatedReps: agg.saturatedReps,
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
