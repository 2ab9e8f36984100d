import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildReport, terminalSummary } from './build.ts';
import { generateResults } from './fixtures.ts';
import { mergeRuns } from './merge.ts';
import { parseResults } from './schema.ts';

const tmp = mkdtempSync(join(tmpdir(), 'meshbench-report-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('buildReport', () => {
  it('writes index.html, summary.md and smp.json for 4 meshes × 5 levels × 5 reps, the HTML under 3 MB', async () => {
    const results = generateResults({ seed: 21, reps: 5 });
    assert.equal(results.scenarios.length, 4 * 5 * 5);
    const started = performance.now();
    const files = await buildReport(results, join(tmp, 'full'));
    const ms = performance.now() - started;
    const size = statSync(files.index).size;
    console.log(`report for 4 meshes × 5 levels × 5 reps: built in ${ms.toFixed(0)} ms, index.html ${(size / 1024).toFixed(0)} KiB`);
    assert.ok(size < 3 * 1024 * 1024, `index.html is ${size} bytes`);
    const html = readFileSync(files.index, 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=/i, 'no external scripts: the report works offline');
    assert.doesNotMatch(html, /https?:\/\/[^"'\s]*\.js\b/i);
    assert.match(html, /Recommended: \w+, because/);
    assert.match(html, /Published reference figures — not measured by this run/);
    assert.match(html, /--seed 21/);
    const md = readFileSync(files.summary, 'utf8');
    assert.match(md, /^# meshbench report: fixture-21/);
    assert.match(md, /\*\*Recommended: /);
    assert.match(md, /Saturated \(not overhead figures\): .*custom @ 800 rps/);
    const smp = JSON.parse(readFileSync(files.smp, 'utf8'));
    assert.equal(smp.results.length, 20);
    const r = smp.results.find((x: { labels: { mesh: string } }) => x.labels.mesh === 'linkerd');
    for (const k of ['min', 'average', 'p50', 'p90', 'p99', 'max']) assert.equal(typeof r.latencies_ms[k], 'number', k);
    assert.equal(typeof r.actual_QPS, 'number');
    assert.ok(r.start_time < r.end_time);
    assert.ok(smp.mesh_configs.some((m: { id: string }) => m.id === r.meshConfigId));
    assert.ok(smp.environments.some((e: { id: string }) => e.id === r.envId));
    assert.ok(smp.test_configs.some((t: { id: string }) => t.id === r.testId));
    assert.ok(r.resources.some((p: { role: string }) => p.role === 'proxy'));
  });

  it('shows a failed mesh install with its log excerpt, and marks the mesh not measured', async () => {
    const results = generateResults({ seed: 22, reps: 2, levels: [100, 200], failedInstall: ['consul'] });
    const files = await buildReport(results, join(tmp, 'failed'));
    const html = readFileSync(files.index, 'utf8');
    assert.match(html, /<div class="failure" data-mesh="consul" data-stage="install">/);
    assert.match(html, /<pre class="log">\[consul\] waiting for control plane...\n\[consul\] error: readiness probe failed/);
    assert.match(html, /<tr class="not-measured" data-mesh="consul"[^>]*>.*not measured.*install failed: consul control plane did not become ready/);
    const md = readFileSync(files.summary, 'utf8');
    assert.match(md, /\*\*consul\*\* \(local\) install failed: consul control plane did not become ready within 300 s/);
    assert.match(md, /\[consul\] giving up after 300 s/);
    assert.match(terminalSummary(results), /FAILED consul install: consul control plane/);
  });

  it('still builds a page that says so when every install failed', async () => {
    const results = generateResults({ seed: 28, reps: 1, levels: [100], meshes: ['none', 'custom'], failedInstall: ['none', 'custom'] });
    assert.equal(results.scenarios.length, 0);
    const html = readFileSync((await buildReport(results, join(tmp, 'nothing'))).index, 'utf8');
    assert.match(html, /No recommendation: no mesh other than the baseline has measured results in this run\./);
    assert.equal((html.match(/data-chart-empty=/g) ?? []).length, 8);
    assert.equal((html.match(/<div class="failure"/g) ?? []).length, 2);
    assert.match(terminalSummary(results), /\(no scenario results\)\nFAILED none install/);
  });

  it('refuses results that fail validation, naming the field', async () => {
    const results = generateResults({ seed: 23, reps: 1, levels: [100] }) as unknown as { scenarios: { total: { latencyMs: Record<string, unknown> } }[] };
    results.scenarios[1].total.latencyMs.p99 = 'fast';
    await assert.rejects(buildReport(results as never, join(tmp, 'bad')), /scenarios\.1\.total\.latencyMs\.p99: Invalid input: expected number/);
    assert.throws(() => parseResults({ schemaVersion: 2 }, 'x.json'), /x\.json does not match.*\n  - schemaVersion:/);
  });

  it('escapes text from results so a probe summary cannot inject markup', async () => {
    const results = generateResults({ seed: 24, reps: 1, levels: [100] });
    results.probes[0].summary = '<img src=x onerror=alert(1)></script>';
    const html = readFileSync((await buildReport(results, join(tmp, 'esc'))).index, 'utf8');
    assert.ok(!html.includes('<img src=x'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  });

  it('merges runs from two platforms into one report that names each row\'s platform', async () => {
    const local = generateResults({ seed: 25, reps: 2, levels: [100, 200], meshes: ['none', 'custom'] });
    const k8s = generateResults({ seed: 26, reps: 2, levels: [100, 200], platform: 'kubernetes', meshes: ['none', 'linkerd', 'consul'] });
    const merged = mergeRuns([local, k8s]);
    assert.equal(merged.scenarios.length, local.scenarios.length + k8s.scenarios.length);
    const html = readFileSync((await buildReport(merged, join(tmp, 'merged'))).index, 'utf8');
    assert.match(html, /<tr data-cell="kubernetes\/linkerd\/online-boutique\/100"><td>kubernetes<\/td><th>linkerd \(kubernetes\)<\/th>/);
    assert.match(html, /<tr data-cell="local\/custom\/online-boutique\/100"><td>local<\/td><th>custom \(local\)<\/th>/);
    assert.match(html, /data-run="fixture-25"/);
    assert.match(html, /data-run="fixture-26"/);
    assert.match(html, /Contenders were measured on different platforms/);
  });

  it('prints a terminal table with every cell and the recommendation', () => {
    const results = generateResults({ seed: 27, reps: 2, levels: [100, 800] });
    const text = terminalSummary(results);
    const lines = text.split('\n');
    assert.match(lines[0], /^mesh\s+rps\s+achieved\s+p50 ms\s+p99 ms/);
    assert.equal(lines.filter((l) => /^(none|linkerd|consul|custom)\s/.test(l)).length, 8);
    assert.match(text, /^custom\s+800 .*saturated$/m);
    assert.match(text, /^Recommended: /m);
  });
});
