// The report command as a user runs it: a real process over run folders on disk.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateResults } from './fixtures.ts';
import type { Results } from './schema.ts';

const script = fileURLToPath(new URL('../scripts/report.ts', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'meshbench-report-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const report = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 120_000 });
function runDir(name: string, results: Results): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results));
  return dir;
}
const small = { reps: 3, levels: [100, 400], meshes: ['none', 'linkerd', 'custom'] };

describe('npm run report', () => {
  it('re-renders a run folder from results.json', () => {
    const dir = runDir('a', generateResults({ ...small, seed: 41 }));
    const r = report(dir);
    assert.equal(r.status, 0, r.stderr);
    for (const f of ['index.html', 'summary.md', 'smp.json']) assert.ok(existsSync(join(dir, f)), f);
    assert.match(r.stdout, /report: .*index\.html/);
  });

  it('merges results.ndjson with run.json when results.json is missing, dropping a torn last line', () => {
    const results = generateResults({ ...small, seed: 42 });
    const dir = join(tmp, 'ndjson');
    mkdirSync(dir);
    writeFileSync(join(dir, 'run.json'), JSON.stringify(results.meta));
    const records = [...results.scenarios, ...results.probes, ...results.installs, ...results.maxRps];
    writeFileSync(join(dir, 'results.ndjson'), records.map((x) => JSON.stringify(x)).join('\n') + '\n');
    appendFileSync(join(dir, 'results.ndjson'), '{"type":"scenario","platf');
    const r = report(dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /results\.ndjson line \d+ dropped/);
    assert.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /\| local \| linkerd \| 400 \|/);
  });

  it('stops with the name of the bad field instead of writing a broken page', () => {
    const results = generateResults({ ...small, seed: 43 }) as unknown as { probes: { outcome: string }[] };
    results.probes[2].outcome = 'maybe';
    const dir = runDir('bad', results as unknown as Results);
    const r = report(dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /results\.json does not match the meshbench results schema v1:\n {2}- probes\.2\.outcome: Invalid option/);
    assert.ok(!existsSync(join(dir, 'index.html')));
    const notJson = join(tmp, 'notjson');
    mkdirSync(notJson);
    writeFileSync(join(notJson, 'results.json'), '{"schemaVersion": 1,');
    assert.match(report(notJson).stderr, /results\.json is not valid JSON/);
    assert.match(report(join(tmp, 'nowhere')).stderr, /no such file or folder/);
  });

  it('--compare exits 1 with --fail-on-regression only when something regressed', () => {
    const a = runDir('cmp-a', generateResults({ ...small, seed: 44 }));
    const same = runDir('cmp-b', generateResults({ ...small, seed: 45 }));
    const worse = runDir('cmp-c', generateResults({ ...small, seed: 45, profiles: { custom: { addedMs: 5 } } }));
    const ok = report('--compare', a, same, '--fail-on-regression');
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const out = join(tmp, 'cmp-out');
    const bad = report('--compare', a, worse, '--fail-on-regression', '--out', out);
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /\| regression \| local\/custom\/online-boutique\/100 \| p50 \|/);
    assert.equal(JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')).regressions > 0, true);
    assert.equal(report('--compare', a, worse).status, 0, 'without --fail-on-regression the view is informational');
    assert.match(report('--compare', a).stderr, /--compare takes exactly two run folders/);
  });

  it('--merge writes one report over several runs', () => {
    const a = runDir('m-local', generateResults({ ...small, seed: 46, meshes: ['none', 'custom'] }));
    const b = runDir('m-k8s', generateResults({ ...small, seed: 47, platform: 'kubernetes', meshes: ['none', 'linkerd', 'consul'] }));
    const out = join(tmp, 'm-out');
    const r = report('--merge', a, b, '--out', out);
    assert.equal(r.status, 0, r.stderr);
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    assert.match(md, /\| kubernetes \| consul \(kubernetes\) \| 100 \|/);
    assert.match(md, /\| local \| custom \(local\) \| 100 \|/);
    assert.ok(existsSync(join(out, 'results.json')));
    assert.match(report('--merge', a).stderr, /--merge takes two or more run folders/);
  });
});
