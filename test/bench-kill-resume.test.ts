// End to end: a bench run SIGKILLed mid-run loses no finished scenario; the next command removes what it left
// (namespaces with their iptables rules, processes, bridge) and --resume completes the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { listStates, isAlive } from '../clusters/local/state.ts';
import { parseResults } from '../reports/schema.ts';

const BENCH = ['--import', 'tsx', 'scripts/bench.ts'];
const ARGS = ['--workload', 'pingpong', '--meshes', 'none', '--rps', '20,30,40', '--duration', '2s', '--warmup', '1s', '--reps', '1', '--no-probes', '--seed', '11'];

function scenarioLines(dir: string): string[] {
  const file = join(dir, 'results.ndjson');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('"type":"scenario"'));
}

test('SIGKILL mid-run keeps finished scenarios; --resume cleans up and completes', { timeout: 180_000 }, async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'mb-resume-')), 'run');
  const child = spawn(process.execPath, [...BENCH, ...ARGS, '--out', out], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  const exited = new Promise((r) => child.once('exit', r));
  for (let i = 0; i < 600 && scenarioLines(out).length < 1; i++) await sleep(100);
  assert.equal(scenarioLines(out).length, 1, 'the first scenario was recorded before the kill');
  const ours = listStates().filter((s) => s.owner === child.pid);
  assert.equal(ours.length, 1, 'the run owns one stack');
  const pids = ours[0].pids;
  child.kill('SIGKILL');
  await exited;
  const first = scenarioLines(out)[0];
  assert.ok(pids.some(isAlive), 'pods outlive a SIGKILLed run');

  const resumed = spawnSync(process.execPath, [...BENCH, '--resume', out], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 150_000 });
  assert.equal(resumed.status, 0, resumed.stderr + resumed.stdout);
  assert.match(resumed.stdout, /already recorded/);
  assert.ok(!pids.some(isAlive), 'the killed run’s processes are gone');
  assert.equal(listStates().filter((s) => s.owner === child.pid).length, 0, 'its stack state is gone');
  const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  for (const pod of ours[0].pods) assert.ok(!netns.includes(pod.netns), `namespace ${pod.netns} removed`);
  assert.ok(!existsSync(`/sys/class/net/${ours[0].bridge}`), 'bridge removed');

  const results = parseResults(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
  assert.deepEqual(results.scenarios.map((s) => s.targetRps).sort((a, b) => a - b), [20, 30, 40]);
  assert.ok(scenarioLines(out).includes(first), 'the scenario finished before the kill is kept as it was');
  assert.equal(results.meta.seed, 11);
});
