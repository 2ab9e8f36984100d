import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestStats } from '../../reports/schema.ts';
import { aggregateReps, bootstrapMedianCi, isSaturated, median, mergeRequestStats, spreadOf, NOISY_SPREAD } from './stats.ts';
import { createLatencyHistogram, decodeHistogram, encodeHistogram, recordMs, summarize } from './histogram.ts';
import { emptyErrors } from './errors.ts';

function statsOf(latenciesMs: number[], errors = emptyErrors()): RequestStats {
  const h = createLatencyHistogram();
  for (const l of latenciesMs) recordMs(h, l);
  return { requests: latenciesMs.length, errors, latencyMs: summarize(h), histogram: encodeHistogram(h) };
}
const near = (a: number, b: number, tol = 0.002) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`);

test('histograms round-trip through the encoded form', () => {
  const s = statsOf([1, 2, 3, 4, 100]);
  const h = decodeHistogram(s.histogram);
  assert.equal(h.totalCount, 5);
  near(summarize(h).max, 100);
});

test('merging histograms gives the percentile of all requests, not the mean of percentiles', () => {
  // Rep A: 99 fast + 1 slow; rep B: 100 fast. Merged p99 = fast; averaging p99s would give a very different number.
  const a = statsOf([...Array(90).fill(1), ...Array(10).fill(500)]);
  const b = statsOf(Array(100).fill(1));
  const errs = emptyErrors();
  errs.http5xx = 3;
  const c = statsOf([2, 2], errs);
  const merged = mergeRequestStats([a, b, c]);
  assert.equal(merged.requests, 202);
  assert.equal(merged.errors.http5xx, 3);
  near(a.latencyMs.p90, 1);
  near(merged.latencyMs.p90, 1); // 10 slow of 202 is < 10%
  near(merged.latencyMs.p99, 500); // p99 of 202 requests sits among the 10 slow ones
  near(merged.latencyMs.max, 500);
  assert.notEqual(merged.latencyMs.p99, (a.latencyMs.p99 + b.latencyMs.p99 + c.latencyMs.p99) / 3);
});

test('median, spread and bootstrap interval', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  const s = spreadOf([10, 12, 11, 30, 9], 7);
  assert.deepEqual([s.median, s.min, s.max, s.n], [11, 9, 30, 5]);
  near(s.relativeSpread, 21 / 11);
  assert.ok(s.ci95 && s.ci95[0] <= 11 && s.ci95[1] >= 11 && s.ci95[0] >= 9 && s.ci95[1] <= 30, `ci ${s.ci95}`);
  assert.deepEqual(bootstrapMedianCi([10, 12, 11, 30, 9], 7), s.ci95, 'seeded: same seed, same interval');
  assert.equal(spreadOf([1, 2]).ci95, undefined, 'no interval below 3 repetitions');
});

test('aggregateReps flags noisy and saturated scenarios', () => {
  const rep = (p: number, achieved: number) => ({ targetRps: 100, achievedRps: achieved, total: statsOf(Array(50).fill(p)), steps: { home: statsOf(Array(50).fill(p)) } });
  const calm = aggregateReps([rep(10, 100), rep(10.5, 99.5), rep(10.2, 100)]);
  assert.equal(calm.noisy, false);
  assert.equal(calm.saturated, false);
  assert.equal(calm.total.requests, 150);
  assert.equal(calm.steps.home.requests, 150);
  assert.ok(calm.metrics.p50.ci95);

  const noisy = aggregateReps([rep(10, 100), rep(10 * (1 + NOISY_SPREAD) + 1, 100), rep(10.2, 100)]);
  assert.equal(noisy.noisy, true);
  assert.ok(noisy.noisyMetrics.includes('p50'));

  const sat = aggregateReps([rep(10, 100), rep(10, 94)]);
  assert.equal(sat.saturated, true);
  assert.equal(sat.saturatedReps, 1);
  assert.equal(isSaturated({ targetRps: 100, achievedRps: 95 }), false);
  assert.throws(() => aggregateReps([rep(1, 1), { ...rep(1, 1), targetRps: 50 }]), /share a target rate/);
});
