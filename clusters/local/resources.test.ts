import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { ResourceSampler } from './resources.ts';

// A child that burns exactly one core (busy loop) and holds ~64 MiB, next to one that sleeps.
const BURN = `const b = Buffer.alloc(64 * 1024 * 1024, 1); const end = Date.now() + 4000; while (Date.now() < end) {} b[0]`;
const IDLE = `setTimeout(() => {}, 4000)`;

test('sampler measures a process burning one core and an idle one', async () => {
  const burn = spawn(process.execPath, ['-e', BURN]);
  const idle = spawn(process.execPath, ['-e', IDLE]);
  try {
    await sleep(500); // let both start and allocate
    const sampler = new ResourceSampler([
      { pod: 'p', process: 'burn', role: 'app', pid: burn.pid! },
      { pod: 'p', process: 'idle', role: 'app', pid: idle.pid! },
    ]).start();
    const from = Date.now();
    await sleep(2000);
    const [b, i] = sampler.stop(from, Date.now());
    console.log(`burn: mean ${b.cpuMeanCores} cores, peak ${b.cpuPeakCores}, rss ${(b.rssPeakBytes / 2 ** 20).toFixed(0)} MiB; idle: mean ${i.cpuMeanCores}`);
    // Two cores are shared with other work, so the burner gets between most of a core and all of it.
    assert.ok(b.cpuMeanCores > 0.6 && b.cpuMeanCores <= 1.1, `burn mean ${b.cpuMeanCores}`);
    assert.ok(i.cpuMeanCores < 0.05, `idle mean ${i.cpuMeanCores}`);
    assert.ok(b.rssPeakBytes > 64 * 2 ** 20, `burn rss ${b.rssPeakBytes}`);
    assert.ok(b.samples >= 6);
  } finally {
    burn.kill('SIGKILL');
    idle.kill('SIGKILL');
  }
});
