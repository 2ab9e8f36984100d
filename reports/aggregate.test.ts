import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLatencyHistogram, encodeHistogram, summarize } from '../workloads/load/histogram.ts';
import { buildCell, buildCells, overheads } from './aggregate.ts';
import { generateResults } from './fixtures.ts';
import type { ScenarioRecord } from './schema.ts';

/** A repetition whose every request took `ms`, `count` times. */
function rep(ms: number, count: number, rep: number, achievedRps = 100): ScenarioRecord {
  const h = createLatencyHistogram();
  h.recordValueWithCount(ms * 1000, count);
  const total = { requests: count, errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, grpc: {}, other: 0 }, latencyMs: summarize(h), histogram: encodeHistogram(h) };
  return {
    type: 'scenario', platform: 'local', mesh: 'm', workload: 'w', targetRps: 100, rep, id: `x${rep}`, order: 0, startedAt: '', endedAt: '', warmupS: 1, durationS: 10,
    achievedRps, engine: 'builtin', total, steps: {}, resources: [],
  };
}

describe('cells', () => {
  it('reads percentiles from the merged histogram, not the mean of the repetitions', () => {
    // 900 fast requests in one rep, 100 slow ones in another: the merged p50 is fast; averaging p50s would say 50.5 ms.
    const cell = buildCell([rep(1, 900, 1), rep(100, 100, 2)]);
    assert.ok(Math.abs(cell.latency.p50 - 1) < 0.01, `merged p50 ${cell.latency.p50}`);
    assert.ok(Math.abs(cell.latency.p99 - 100) < 0.1, `merged p99 ${cell.latency.p99}`);
    assert.equal(cell.spread.p50.min, 1);
    assert.ok(Math.abs(cell.spread.p50.max - 100) < 0.1);
    assert.equal(cell.requests, 1000);
  });

  it('marks a cell saturated when a repetition fell more than 5 % short, and noisy when reps disagree', () => {
    const cell = buildCell([rep(5, 100, 1, 100), rep(5, 100, 2, 90), rep(5, 100, 3, 100)]);
    assert.equal(cell.saturated, true);
    const noisy = buildCell([rep(5, 100, 1), rep(5, 100, 2), rep(9, 100, 3)]);
    assert.equal(noisy.noisy, true);
    assert.match(noisy.noisyReason ?? '', /p50 spread 80 %/);
  });

  it('computes added latency against the same-platform baseline and flags saturated levels', () => {
    const results = generateResults({ seed: 3, meshes: ['none', 'linkerd', 'custom'], levels: [100, 800], reps: 3 });
    const cells = buildCells(results);
    assert.equal(cells.length, 6);
    const ovs = overheads(cells);
    assert.equal(ovs.length, 4);
    const linkerd100 = ovs.find((o) => o.cell.mesh === 'linkerd' && o.cell.targetRps === 100)!;
    assert.ok(Math.abs(linkerd100.added.p50.ms - (linkerd100.cell.latency.p50 - linkerd100.baseline.latency.p50)) < 1e-9);
    assert.ok(linkerd100.added.p50.ms > 0);
    // custom's capacity (700 req/s) is below 800: the difference there is queueing, flagged as such.
    assert.equal(ovs.find((o) => o.cell.mesh === 'custom' && o.cell.targetRps === 800)!.saturated, true);
    assert.equal(linkerd100.saturated, false);
  });
});

describe('fixtures', () => {
  it('are deterministic for a seed and valid against the schema', () => {
    const a = generateResults({ seed: 11, levels: [100], reps: 2 });
    const b = generateResults({ seed: 11, levels: [100], reps: 2 });
    const c = generateResults({ seed: 12, levels: [100], reps: 2 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.scenarios[0].total.histogram, c.scenarios[0].total.histogram);
    assert.equal(a.scenarios.length, 4 * 2);
  });
});

describe('damaged histograms', () => {
  it('name the scenario whose histogram cannot be decoded', () => {
    const bad = rep(1, 10, 1);
    bad.total.histogram = 'not-a-histogram';
    assert.throws(() => buildCell([rep(1, 10, 2), bad]), /scenarios x2, x1: total\.histogram cannot be decoded/);
  });
});
