import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findMaxRps } from './max-rps.ts';
import { checkSlo, parseSlo } from './slo.ts';
import { emptyErrors } from './errors.ts';
import type { Measured } from './slo.ts';

/** A synthetic system: latency grows as the rate nears `capacity`; beyond it throughput stalls at capacity. */
function syntheticMeasure(capacity: number, log: number[] = []) {
  return async (rps: number): Promise<Measured> => {
    log.push(rps);
    const load = Math.min(rps / capacity, 0.999);
    const p99 = 2 / (1 - load); // ms
    const errors = emptyErrors();
    errors.http5xx = rps > capacity ? 50 : 0;
    return {
      targetRps: rps,
      achievedRps: Math.min(rps, capacity),
      total: { requests: 1000, errors, histogram: '', latencyMs: { min: 1, mean: p99 / 3, p50: p99 / 4, p90: p99 / 2, p99, p999: p99 * 2, max: p99 * 3 } },
    };
  };
}

test('parseSlo reads latency and error clauses with units', () => {
  const slo = parseSlo('p99<50ms, errors<0.1%,p50<=200us,max<1.5s');
  assert.deepEqual(
    slo.clauses.map((c) => [c.metric, c.op, 'thresholdMs' in c ? c.thresholdMs : c.thresholdRatio]),
    [['p99', '<', 50], ['errors', '<', 0.001], ['p50', '<=', 0.2], ['max', '<', 1500]],
  );
});

test('parseSlo names the bad clause and the fix', () => {
  assert.throws(() => parseSlo('p99<50'), /"p99<50".*needs a unit/);
  assert.throws(() => parseSlo('p98<50ms'), /unknown metric "p98"/);
  assert.throws(() => parseSlo('errors<1'), /errors needs a percentage/);
  assert.throws(() => parseSlo('p99>50ms'), /not METRIC<VALUE/);
  assert.throws(() => parseSlo(''), /empty/);
});

test('checkSlo fails a saturated run even when latency is fine', () => {
  const slo = parseSlo('p99<50ms');
  const ok = { targetRps: 100, achievedRps: 99, total: { requests: 10, errors: emptyErrors(), histogram: '', latencyMs: { min: 1, mean: 1, p50: 1, p90: 1, p99: 10, p999: 10, max: 10 } } };
  assert.equal(checkSlo(slo, ok).met, true);
  const sat = checkSlo(slo, { ...ok, achievedRps: 90 });
  assert.equal(sat.met, false);
  assert.match(sat.reason, /saturated/);
});

test('findMaxRps ramps up then bisects within 6 steps', async () => {
  // p99 = 2/(1 - rps/1000): p99 < 20ms ⇔ rps < 900.
  const log: number[] = [];
  const out = await findMaxRps({ slo: 'p99<20ms,errors<0.1%', startRps: 100, measure: syntheticMeasure(1000, log) });
  assert.ok(out.steps.length <= 6, `steps: ${log}`);
  assert.deepEqual(out.steps.map((s) => s.rps), log);
  assert.ok(out.maxRps !== null && out.maxRps < 900 && out.maxRps >= 800, `maxRps ${out.maxRps} (steps ${log})`);
  for (const s of out.steps) assert.equal(s.met, s.rps < 900, `step ${s.rps}: ${s.reason}`);
});

test('findMaxRps ramps down when the start rate already fails', async () => {
  const out = await findMaxRps({ slo: 'p99<4ms', startRps: 800, measure: syntheticMeasure(1000) });
  // p99 < 4ms ⇔ rps < 500
  assert.ok(out.steps.length <= 6);
  assert.equal(out.steps[0].met, false);
  assert.ok(out.maxRps !== null && out.maxRps < 500 && out.maxRps >= 300, `maxRps ${out.maxRps}`);
});

test('findMaxRps returns null when no rate meets the SLO', async () => {
  const out = await findMaxRps({ slo: 'p99<1ms', startRps: 100, measure: syntheticMeasure(1000), maxSteps: 4 });
  assert.equal(out.maxRps, null);
  assert.equal(out.steps.length, 4);
  assert.ok(out.steps.every((s) => !s.met && /misses p99<1ms/.test(s.reason)));
});

test('findMaxRps rejects a bad SLO before measuring anything', async () => {
  let calls = 0;
  await assert.rejects(findMaxRps({ slo: 'p99<fast', startRps: 100, measure: async (r) => (calls++, syntheticMeasure(1)(r)) }), /p99<fast/);
  assert.equal(calls, 0);
});
