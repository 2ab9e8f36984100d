import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseDuration, parseFlags, parseRps, resolveConfig, helpText } from './config.ts';

const rejects = (argv: string[], ...fragments: string[]) =>
  assert.rejects(
    async () => resolveConfig(parseFlags(argv)),
    (err: Error) => {
      assert.ok(err instanceof ConfigError, `not a ConfigError: ${err.message}`);
      for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" lacks "${f}"`);
      return true;
    },
  );

test('profiles give defaults; flags override them', async () => {
  const quick = await resolveConfig(parseFlags(['--profile', 'quick', '--workload', 'pingpong', '--seed', '7']));
  assert.deepEqual(quick.rps, [50, 100]);
  assert.equal(quick.durationMs, 5000);
  assert.equal(quick.reps, 1);
  assert.equal(quick.seed, 7);
  assert.equal(quick.platform, 'local');
  assert.ok(quick.meshes.includes('none'));
  const custom = await resolveConfig(parseFlags(['--profile', 'quick', '--rps', '10,20,30', '--duration', '2m', '--warmup', '500ms', '--reps', '3']));
  assert.deepEqual(custom.rps, [10, 20, 30]);
  assert.equal(custom.durationMs, 120_000);
  assert.equal(custom.warmupMs, 500);
  assert.equal(custom.reps, 3);
});

test('each bad value names the flag, the value and what is accepted', async () => {
  await rejects(['--platform', 'docker'], '--platform', '"docker"', 'local, kind, kubernetes');
  await rejects(['--rps', '50,abc'], '--rps', '"50,abc"', 'comma-separated list of positive request rates');
  await rejects(['--rps', '0'], '--rps', 'positive');
  await rejects(['--rps', '50,50'], '--rps', 'without repeats');
  await rejects(['--duration', '10 minutes'], '--duration', '"10 minutes"', '30s');
  await rejects(['--warmup', '0s'], '--warmup', 'greater than zero');
  await rejects(['--reps=0'], '--reps', 'whole number from 1');
  await rejects(['--seed', 'x'], '--seed', 'whole number');
  await rejects(['--profile', 'huge'], '--profile', 'quick, standard, full');
  await rejects(['--meshes', 'istio'], '--meshes', '"istio"', 'none');
  await rejects(['--meshes', 'none,none'], '--meshes', 'at most once');
  await rejects(['--workload', 'bookinfo'], '--workload', 'pingpong');
  await rejects(['--slo', 'p99<5ms'], '--slo', 'only together with --find-max-rps');
  await rejects(['--dry-run'], '--dry-run', 'kind or kubernetes');
});

test('meshes that do not run on the platform are refused with the list that does', async () => {
  await rejects(['--meshes', 'linkerd'], '--meshes', '"linkerd"', 'run on --platform local');
});

test('unknown flags are refused and point to --help', () => {
  assert.throws(() => parseFlags(['--rsp', '10']), (e: Error) => e instanceof ConfigError && e.message.includes("'--rsp'") && e.message.includes('--help'));
  assert.ok(helpText().includes('--find-max-rps'));
});

test('a YAML file says the same as the flags, and flags win', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-config-'));
  const file = join(dir, 'bench.yaml');
  writeFileSync(file, 'workload: pingpong\nrps: [15, 25]\nduration: 3s\nreps: 2\nmeshes: none\n');
  const c = await resolveConfig(parseFlags(['--config', file, '--reps', '4']));
  assert.deepEqual(c.rps, [15, 25]);
  assert.equal(c.durationMs, 3000);
  assert.equal(c.reps, 4);
  assert.deepEqual(c.meshes, ['none']);
  writeFileSync(file, 'rsp: [15]\n');
  await rejects(['--config', file], '--config', 'unknown key "rsp"');
});

test('duration and rps parsers', () => {
  assert.equal(parseDuration('--duration', '1.5s'), 1500);
  assert.equal(parseDuration('--duration', '2'), 2000);
  assert.equal(parseDuration('--duration', '1h'), 3_600_000);
  assert.deepEqual(parseRps('--rps', '50, 100 ,200'), [50, 100, 200]);
});
