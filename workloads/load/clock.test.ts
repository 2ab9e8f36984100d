import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { followClock, startClock } from './clock.ts';

test('the clock announces every slot, never before it is due', async () => {
  const startEpochMs = Date.now() + 100;
  const intervalMs = 2.5;
  const totalSlots = 200;
  const t0 = startEpochMs - performance.timeOrigin;
  const clock = startClock({ startEpochMs, phaseMs: 0, intervalMs, totalSlots });
  const early: number[] = [];
  const lags: number[] = [];
  let seen = 0;
  try {
    await new Promise<void>((resolve) =>
      followClock(clock, totalSlots, (due) => {
        const now = performance.now();
        for (; seen < due; seen++) {
          const slotAt = t0 + seen * intervalMs;
          if (now < slotAt - 0.05) early.push(seen); // 50 µs for the two threads' clock origins
          lags.push(now - slotAt);
        }
        if (due >= totalSlots) resolve();
      }),
    );
  } finally {
    await clock.stop();
  }
  lags.sort((a, b) => a - b);
  console.log(`announce lag after due: p50 ${lags[100].toFixed(3)} ms, p90 ${lags[180].toFixed(3)} ms, max ${lags[199].toFixed(3)} ms`);
  assert.equal(seen, totalSlots);
  assert.deepEqual(early, [], 'no slot announced early');
});
