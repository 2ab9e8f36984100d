import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatResult, parseLoadArgs } from './cli.ts';
import { emptyErrors } from './errors.ts';

test('npm run load flags: defaults, sweep, url split into origin and path', () => {
  const o = parseLoadArgs(['--url', 'http://127.0.0.1:8080/a/b?x=1', '--rps', '50,100', '--duration', '30s']);
  assert.equal(o.baseUrl, 'http://127.0.0.1:8080');
  assert.equal(o.path, '/a/b?x=1');
  assert.deepEqual(o.rps, [50, 100]);
  assert.equal(o.durationMs, 30_000);
  assert.equal(o.warmupMs, 2000);
  assert.equal(o.connections, 16);
  assert.equal(parseLoadArgs(['--url', 'http://h/', '--rps', '5', '--warmup', '0']).warmupMs, 0);
  assert.equal(parseLoadArgs(['--url', 'http://h/', '--rps', '5', '--find-max-rps', '--slo', 'p99<5ms']).findMaxRps, true);
});

test('npm run load flags: errors name the flag, the value and what is accepted', () => {
  const bad = (args: string[], re: RegExp) => assert.throws(() => parseLoadArgs(args), re);
  bad(['--rps', '10'], /--url is required/);
  bad(['--url', 'http://h/'], /--rps is required/);
  bad(['--url', 'ftp://h/', '--rps', '1'], /--url: "ftp:\/\/h\/" is not accepted. Accepted: an http/);
  bad(['--url', 'http://h/', '--rps', 'lots'], /--rps: "lots" is not accepted/);
  bad(['--url', 'http://h/', '--rps', '10', '--duration', '5parsecs'], /--duration: "5parsecs" is not accepted. Accepted: a duration such as 500ms/);
  bad(['--url', 'http://h/', '--rps', '10', '--connections', '0'], /--connections: "0" is not accepted. Accepted: a whole number from 1 to 10000/);
  bad(['--url', 'http://h/', '--rps', '10', '--method', 'PUT'], /--method: "PUT" is not accepted. Accepted: GET or POST/);
  bad(['--url', 'http://h/', '--rps', '10', '--nope'], /Unknown option '--nope'/);
  bad(['--url', 'http://h/', '--rps', '10,20', '--find-max-rps'], /one starting rate with --find-max-rps/);
  bad(['--url', 'http://h/', '--rps', '10', '--find-max-rps', '--slo', 'p99<fast'], /p99<fast/);
});

test('the percentile table flags saturation', () => {
  const stats = { requests: 10, errors: emptyErrors(), histogram: '', latencyMs: { min: 1, mean: 2, p50: 2, p90: 3, p99: 4, p999: 5, max: 6 } };
  const r = { engine: 'builtin', targetRps: 100, achievedRps: 80, durationS: 10, total: stats, steps: { home: stats }, measureStartedAt: 0, measureEndedAt: 1 };
  const text = formatResult(r);
  assert.match(text, /achieved 80\.0 req\/s/);
  assert.match(text, /SATURATED/);
  assert.match(text, /^home\s+10\s+1\.000/m);
  assert.doesNotMatch(formatResult({ ...r, achievedRps: 99 }), /SATURATED/);
});
