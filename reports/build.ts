// The report builder's entry points: buildReport writes index.html, summary.md and smp.json from validated Results;
// terminalSummary is the table printed at the end of `npm run bench`. Pure: it reads results, never re-runs anything.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { seriesNamer } from './chart-data.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { buildModel, type ReportOptions } from './model.ts';
import { parseResults, type Results } from './schema.ts';
import { renderSmp } from './smp.ts';

export interface ReportFiles { index: string; summary: string; smp: string }

export async function buildReport(results: Results, outDir: string, opts: ReportOptions = {}): Promise<ReportFiles> {
  // Validate even typed input: a report is only as good as the file it was built from.
  const model = buildModel(parseResults(results), opts);
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const files = { index: join(dir, 'index.html'), summary: join(dir, 'summary.md'), smp: join(dir, 'smp.json') };
  writeFileSync(files.index, renderHtml(model));
  writeFileSync(files.summary, renderMarkdown(model));
  writeFileSync(files.smp, `${JSON.stringify(renderSmp(model), null, 2)}\n`);
  return files;
}

const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));
const num = (x: number, d = 2) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(d)) : '-');

/** A fixed-width table of every cell plus the recommendation, for a terminal. */
export function terminalSummary(results: Results, opts: ReportOptions = {}): string {
  const m = buildModel(parseResults(results), opts);
  const series = seriesNamer(m.results);
  const added = new Map(m.overheads.map((o) => [o.cell.key, o]));
  const head = ['mesh', 'rps', 'achieved', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', '+p99 ms', 'err %', 'proxy cpu', 'mesh MB', 'flags'];
  const rows = m.cells.map((c) => {
    const o = added.get(c.key);
    return [series(c), String(c.targetRps), num(c.achievedRps.median, 1), num(c.latency.p50), num(c.latency.p99), num(c.latency.p999), num(c.latency.max),
      o && !o.saturated ? num(o.added.p99.ms) : '-', num(100 * c.errorRate, 3), num(c.resources.proxiesCpuCores, 3), num(c.resources.meshRssPeakMb, 0),
      [c.saturated ? 'saturated' : '', c.noisy ? 'noisy' : ''].filter(Boolean).join(',')];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => pad(v, widths[i], i > 0 && i < r.length - 1)).join('  ').trimEnd();
  const lines = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  if (!rows.length) lines.push('(no scenario results)');
  for (const f of m.results.failures) lines.push(`FAILED ${f.mesh} ${f.stage}: ${f.message}`);
  lines.push('', m.scorecard.recommendation, `Sensitivity: ${m.scorecard.sensitivity}`);
  return lines.join('\n');
}
