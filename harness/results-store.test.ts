import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultsStore, mergeResults, readRecords, writeResults } from './results-store.ts';
import type { ProbeRecord, RunMeta, ScenarioRecord } from '../reports/schema.ts';

const zeroErrors = { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, grpc: {}, other: 0 };
const stats = { requests: 100, errors: zeroErrors, latencyMs: { min: 1, mean: 2, p50: 2, p90: 3, p99: 4, p999: 5, max: 6 }, histogram: 'HISTFAAAAB' };
const scenario = (rps: number, rep = 1): ScenarioRecord => ({
  type: 'scenario',
  id: `local/none/pingpong/rps=${rps}/rep=${rep}`,
  platform: 'local',
  mesh: 'none',
  workload: 'pingpong',
  targetRps: rps,
  rep,
  order: 0,
  startedAt: '2026-11-27T00:00:00Z',
  endedAt: '2026-11-27T00:00:05Z',
  warmupS: 1,
  durationS: 5,
  achievedRps: rps,
  engine: 'builtin',
  total: stats,
  steps: { ping: stats },
  resources: [],
});
const meta: RunMeta = {
  runId: 't',
  harnessVersion: '0.1.0',
  gitCommit: 'abc',
  startedAt: '2026-11-27T00:00:00Z',
  endedAt: null,
  seed: 1,
  commandLine: 'npm run bench',
  config: {},
  host: { cpuModel: 'x', cores: 2, memoryBytes: 1024, kernel: '6', os: 'linux', hostname: 'h' },
  nodeVersion: '20',
  meshVersions: {},
  toolVersions: {},
};

test('records survive a torn last line: every complete record is kept, the torn one reported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-store-'));
  const store = new ResultsStore(dir);
  store.append(scenario(50));
  store.append(scenario(100));
  store.close();
  // A SIGKILL in the middle of a write leaves half a JSON line.
  appendFileSync(join(dir, 'results.ndjson'), JSON.stringify(scenario(200)).slice(0, 90));
  const read = readRecords(dir);
  assert.equal(read.records.length, 2);
  assert.equal(read.dropped.length, 1);
  assert.equal(read.dropped[0].line, 3);
  const merged = mergeResults(meta, read.records);
  assert.deepEqual(merged.scenarios.map((s) => s.targetRps), [50, 100]);
  const file = writeResults(dir, merged);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).schemaVersion, 1);
});

test('appending after a torn line starts a fresh line, and resumed scenarios replace older copies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-store-'));
  appendFileSync(join(dir, 'results.ndjson'), `${JSON.stringify(scenario(50))}\n{"type":"scen`);
  const store = new ResultsStore(dir);
  store.append({ ...scenario(50), achievedRps: 49 });
  const probe: ProbeRecord = {
    type: 'probe', platform: 'local', mesh: 'none', workload: 'pingpong', probe: 'mtls-on-the-wire', policy: 'default',
    outcome: 'fail', summary: 'plaintext', evidence: { packets: 10 }, startedAt: '2026-11-27T00:00:00Z', durationMs: 5,
  };
  store.append(probe);
  store.close();
  const read = readRecords(dir);
  assert.equal(read.dropped.length, 1, 'the torn fragment and the next record must not merge into one valid line');
  const merged = mergeResults(meta, read.records);
  assert.equal(merged.scenarios.length, 1);
  assert.equal(merged.scenarios[0].achievedRps, 49);
  assert.equal(merged.probes.length, 1);
});

test('an invalid record is refused before it reaches the disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-store-'));
  const store = new ResultsStore(dir);
  assert.throws(() => store.append({ ...scenario(50), targetRps: -1 } as ScenarioRecord));
  store.close();
  assert.equal(readRecords(dir).records.length, 0);
});
