// The schedule's clock: a tiny helper thread that sleeps precisely until each slot is due and then wakes the load
// worker through shared memory. Node's timers have ~1 ms granularity (a slot could go out up to ~1 ms late, which
// the latency-from-intended-start would then count); polling with setImmediate instead burns a core. A blocking
// Atomics.wait with a fractional-ms timeout sleeps to within tens of µs and costs almost nothing, but it may only
// block a thread that has no I/O to serve — hence this separate thread.
//
// Shared cells: [0] = number of slots due so far (the clock only raises it), [1] = stop flag (set by the worker).
// The worker awaits Atomics.waitAsync on cell 0 and dispatches every slot up to the new count.
import { Worker } from 'node:worker_threads';

// Plain JavaScript (an eval worker), so the clock starts in milliseconds without a TypeScript loader.
const CLOCK_SOURCE = `
const { workerData } = require('node:worker_threads');
const { cells, startEpochMs, phaseMs, intervalMs, totalSlots } = workerData;
const due = new Int32Array(cells);
const nap = new Int32Array(new SharedArrayBuffer(4));
const t0 = startEpochMs - performance.timeOrigin + phaseMs;
// A timed Atomics.wait wakes ~0.1-0.2 ms late (timer slack, scheduling): sleep until 'margin' before the slot, then
// spin. The margin is at most 5% of the interval, so the spinning costs at most 5% of a core at any rate.
const margin = Math.min(0.1, intervalMs * 0.05);
let i = 0;
while (i < totalSlots && Atomics.load(due, 1) === 0) {
  const at = t0 + i * intervalMs;
  const wait = at - performance.now();
  if (wait > margin) Atomics.wait(nap, 0, 0, wait - margin);
  while (performance.now() < at);
  const now = performance.now();
  while (i < totalSlots && t0 + i * intervalMs <= now) i++;
  Atomics.store(due, 0, i);
  Atomics.notify(due, 0);
}
`;

export interface ScheduleClock {
  /** cells[0]: slots due so far. */
  cells: Int32Array;
  stop(): Promise<void>;
}

export function startClock(opts: { startEpochMs: number; phaseMs: number; intervalMs: number; totalSlots: number }): ScheduleClock {
  const shared = new SharedArrayBuffer(8);
  const cells = new Int32Array(shared);
  const worker = new Worker(CLOCK_SOURCE, { eval: true, execArgv: [], workerData: { cells: shared, ...opts } });
  return {
    cells,
    async stop() {
      Atomics.store(cells, 1, 1);
      await worker.terminate();
    },
  };
}

type WaitAsync = (a: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** Calls `onDue(count)` each time the clock raises the due count, until it reaches `total`. Never blocks. */
export function followClock(clock: ScheduleClock, total: number, onDue: (due: number) => void): void {
  const pump = () => {
    for (;;) {
      const due = Atomics.load(clock.cells, 0);
      onDue(due);
      if (due >= total) return;
      const w = waitAsync(clock.cells, 0, due);
      if (w.async) return void w.value.then(pump);
    }
  };
  pump();
}
