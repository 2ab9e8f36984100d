// The bench's command line as a user meets it: help, bad input before any work, and the root requirement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const bench = (args: string[], opts: { uid?: number } = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', ...args], { encoding: 'utf8', timeout: 60_000, uid: opts.uid, gid: opts.uid, env: { ...process.env, CI: 'true', HOME: '/tmp' } });

test('--help lists every flag', () => {
  const r = bench(['--help']);
  assert.equal(r.status, 0);
  for (const flag of ['--platform', '--meshes', '--workload', '--rps', '--duration', '--warmup', '--reps', '--seed', '--out', '--resume', '--profile', '--config', '--find-max-rps', '--slo']) {
    assert.ok(r.stdout.includes(flag), `help lacks ${flag}`);
  }
});

test('a bad value stops the run before anything starts, naming flag, value and what is accepted (exit 2)', () => {
  const r = bench(['--rps', 'fast', '--workload', 'pingpong']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--rps: "fast" is not accepted\. Accepted: a comma-separated list/);
});

test('without root the local platform stops with a clear error', () => {
  const r = bench(['--workload', 'pingpong', '--profile', 'quick', '--out', '/tmp/mb-nonroot'], { uid: 1000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /needs root/);
  assert.match(r.stderr, /Fix:/);
});
