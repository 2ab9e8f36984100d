// Statistics across repetitions of one scenario (same platform, mesh, workload, rate). Pure functions.
//
// Exports (for the report builder and the bench):
// - mergeRequestStats(parts)         one RequestStats from many: histograms are merged by adding counts, and the
//                                    percentiles are read from the merged histogram — never averaged.
// - spreadOf(values, seed?)          MetricSpread of one metric over repetitions: median, min, max, relative spread
//                                    ((max − min) / median) and, when there are ≥ 3 values, a seeded percentile-
//                                    bootstrap 95% interval of the median (BOOTSTRAP_RESAMPLES resamples).
// - bootstrapMedianCi(values, seed)  that interval on its own.
// - isSaturated(rep)                 achieved < 95% of target (SATURATION_RATIO): latency is then not an overhead
//                                    figure, because the system could not carry the load.
// - errorRate(stats)                 failed requests ÷ measured requests.
// - aggregateReps(reps, seed?)       everything above for a scenario: merged totals and per-step stats, a spread for
//                                    each metric (p50 p90 p99 p999 max mean achievedRps errorRate), `noisy` (the
//                                    relative spread of p50, p99 or achievedRps exceeds NOISY_SPREAD, 25%) and
//                                    `saturated` (any repetition saturated; `saturatedReps` counts them).
// Why 25%: on a quiet machine repeated runs of the same scenario land within ~10% of each other at p50/p99; a
// spread over a quarter of the median means the environment moved during the run, and differences between meshes
// smaller than that spread should not be read as real.
import type { RequestStats } from '../../reports/schema.ts';
import { addErrors, emptyErrors, totalErrors } from './errors.ts';
import { encodeHistogram, mergeEncoded, summarize } from './histogram.ts';
import { seededRandom } from './rng.ts';
import { SATURATION_RATIO } from './slo.ts';

export { SATURATION_RATIO };
export const NOISY_SPREAD = 0.25;
export const BOOTSTRAP_RESAMPLES = 2000;

export interface MetricSpread {
  n: number;
  median: number;
  min: number;
  max: number;
  /** (max − min) / median; 0 when the median is 0. */
  relativeSpread: number;
  /** Bootstrap 95% interval of the median; only when n ≥ 3. */
  ci95?: [number, number];
}

export interface RepLike {
  targetRps: number;
  achievedRps: number;
  total: RequestStats;
  steps: Record<string, RequestStats>;
}

export type SpreadMetric = 'p50' | 'p90' | 'p99' | 'p999' | 'max' | 'mean' | 'achievedRps' | 'errorRate';

export interface RepsAggregate {
  reps: number;
  targetRps: number;
  /** All repetitions' requests in one histogram. */
  total: RequestStats;
  steps: Record<string, RequestStats>;
  metrics: Record<SpreadMetric, MetricSpread>;
  noisy: boolean;
  /** Which metrics made it noisy. */
  noisyMetrics: SpreadMetric[];
  saturated: boolean;
  saturatedReps: number;
}

/** Adds request kinds up: counts and errors summed, histograms merged (workers of one run, or repetitions). */
export function mergeRequestStats(parts: readonly Pick<RequestStats, 'requests' | 'errors' | 'histogram'>[]): RequestStats {
  const h = mergeEncoded(parts.map((p) => p.histogram));
  return {
    requests: parts.reduce((s, p) => s + p.requests, 0),
    errors: parts.reduce((e, p) => addErrors(e, p.errors), emptyErrors()),
    latencyMs: summarize(h),
    histogram: encodeHistogram(h),
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function bootstrapMedianCi(values: readonly number[], seed = 1, resamples = BOOTSTRAP_RESAMPLES): [number, number] {
  if (values.length === 0) throw new Error('bootstrap of no values');
  const rand = seededRandom(seed);
  const medians = new Float64Array(resamples);
  const sample = new Array<number>(values.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++) sample[i] = values[Math.floor(rand() * values.length)];
    medians[r] = median(sample);
  }
  medians.sort();
  return [medians[Math.floor(0.025 * (resamples - 1))], medians[Math.ceil(0.975 * (resamples - 1))]];
}

export function spreadOf(values: readonly number[], seed = 1): MetricSpread {
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const spread: MetricSpread = { n: values.length, median: m, min, max, relativeSpread: m === 0 ? 0 : (max - min) / Math.abs(m) };
  if (values.length >= 3) spread.ci95 = bootstrapMedianCi(values, seed);
  return spread;
}

export function errorRate(stats: Pick<RequestStats, 'requests' | 'errors'>): number {
  return stats.requests === 0 ? 0 : totalErrors(stats.errors) / stats.requests;
}

export function isSaturated(rep: Pick<RepLike, 'targetRps' | 'achievedRps'>): boolean {
  return rep.achievedRps < SATURATION_RATIO * rep.targetRps;
}

const NOISE_METRICS: readonly SpreadMetric[] = ['p50', 'p99', 'achievedRps'];

export function aggregateReps(reps: readonly RepLike[], seed = 1): RepsAggregate {
  if (reps.length === 0) throw new Error('aggregateReps: no repetitions to aggregate');
  const targets = new Set(reps.map((r) => r.targetRps));
  if (targets.size > 1) throw new Error(`aggregateReps: repetitions of one scenario must share a target rate; got ${[...targets].join(', ')}`);
  const values: Record<SpreadMetric, number[]> = { p50: [], p90: [], p99: [], p999: [], max: [], mean: [], achievedRps: [], errorRate: [] };
  for (const r of reps) {
    for (const k of ['p50', 'p90', 'p99', 'p999', 'max', 'mean'] as const) values[k].push(r.total.latencyMs[k]);
    values.achievedRps.push(r.achievedRps);
    values.errorRate.push(errorRate(r.total));
  }
  const metrics = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, spreadOf(v, seed)])) as Record<SpreadMetric, MetricSpread>;
  const noisyMetrics = NOISE_METRICS.filter((k) => metrics[k].relativeSpread > NOISY_SPREAD);
  const stepNames = [...new Set(reps.flatMap((r) => Object.keys(r.steps)))].sort();
  const saturatedReps = reps.filter(isSaturated).length;
  return {
    reps: reps.length,
    targetRps: reps[0].targetRps,
    total: mergeRequestStats(reps.map((r) => r.total)),
    steps: Object.fromEntries(stepNames.map((n) => [n, mergeRequestStats(reps.flatMap((r) => (r.steps[n] ? [r.steps[n]] : [])))])),
    metrics,
    noisy: noisyMetrics.length > 0,
    noisyMetrics,
    saturated: saturatedReps > 0,
    saturatedReps,
  };
}
