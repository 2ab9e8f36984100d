// summary.md: the decision and the key numbers as plain text, for a pull request, a chat message or a terminal.
import { PERCENTILE_LABEL } from './aggregate.ts';
import { seriesNamer } from './chart-data.ts';
import type { ReportModel } from './model.ts';

const num = (x: number, d = 2) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(d)) : '–');
const cellText = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cellText).join(' | ')} |`)].join('\n');
}

export function renderMarkdown(m: ReportModel): string {
  const sc = m.scorecard;
  const series = seriesNamer(m.results);
  const added = new Map(m.overheads.map((o) => [o.cell.key, o]));
  const out: string[] = [];
  out.push(`# meshbench report: ${m.runs.map((r) => r.runId).join(' + ')}`, '');
  out.push(`**${sc.recommendation}**`, '', `Sensitivity: ${sc.sensitivity}`, '', ...sc.notes.map((n) => `> ${n}\n`));
  out.push('## Scorecard', '');
  out.push(table(
    ['rank', 'mesh', 'score', ...sc.criteria.map((c) => (c.scored ? `${c.label} (w ${c.weight.toFixed(2)})` : `${c.label} (${c.note})`))],
    [
      ...sc.ranking.map((r) => [String(r.rank), r.mesh, r.total.toFixed(2), ...sc.criteria.map((c) => (c.perMesh[r.mesh] ? `${c.perMesh[r.mesh].score.toFixed(2)} — ${c.perMesh[r.mesh].raw}` : '–'))]),
      ...sc.notMeasured.map((n) => ['–', n.mesh, 'not measured', n.reason, ...sc.criteria.slice(1).map(() => '')]),
    ],
  ), '');
  const sat = m.cells.filter((c) => c.saturated);
  if (sat.length) out.push(`Saturated (not overhead figures): ${sat.map((c) => `${series(c)} @ ${c.targetRps} rps (achieved ${num(c.achievedRps.median, 1)})`).join('; ')}.`, '');
  const noisy = m.cells.filter((c) => c.noisy);
  if (noisy.length) out.push(`Noisy: ${noisy.map((c) => `${series(c)} @ ${c.targetRps} rps (${c.noisyReason})`).join('; ')}.`, '');
  out.push('## Latency (ms, merged across repetitions)', '');
  out.push(table(['platform', 'mesh', 'target rps', 'achieved', 'p50', 'p90', 'p99', PERCENTILE_LABEL.p999, 'max', '+p50', '+p99', 'errors %', 'flags'], m.cells.map((c) => {
    const o = added.get(c.key);
    const ok = o && !o.saturated;
    return [c.platform, series(c), String(c.targetRps), num(c.achievedRps.median, 1), num(c.latency.p50), num(c.latency.p90), num(c.latency.p99), num(c.latency.p999), num(c.latency.max),
      ok ? num(o.added.p50.ms) : '–', ok ? num(o.added.p99.ms) : '–', num(100 * c.errorRate, 3), [c.saturated ? 'saturated' : '', c.noisy ? 'noisy' : ''].filter(Boolean).join(', ')];
  })), '');
  if (m.results.maxRps.length) {
    out.push('## Max rate under the SLO', '', table(['mesh', 'SLO', 'max rps', 'steps'], m.results.maxRps.map((x) => [series(x), x.slo, x.maxRps === null ? 'SLO not met' : String(x.maxRps), String(x.steps.length)])), '');
  }
  if (m.results.probes.length) {
    const cols = [...new Set(m.results.probes.map((p) => `${series(p)} · ${p.policy}`))];
    const probes = [...new Set(m.results.probes.map((p) => p.probe))];
    out.push('## Security probes', '', table(['probe', ...cols], probes.map((probe) => [probe, ...cols.map((col) => m.results.probes.find((p) => p.probe === probe && `${series(p)} · ${p.policy}` === col)?.outcome ?? '–')])), '');
  }
  if (m.results.failures.length) {
    out.push('## Failures', '');
    for (const f of m.results.failures) out.push(`- **${f.mesh}** (${f.platform}) ${f.stage} failed: ${f.message}`, ...(f.logExcerpt ? ['', '  ```', ...f.logExcerpt.split('\n').map((l) => `  ${l}`), '  ```'] : []));
    out.push('');
  }
  out.push('## Published reference figures (not measured by this run)', '', ...m.facts.published.map((p) => `- ${p.claim} — ${p.source}${p.url ? ` (${p.url})` : ''}`), '');
  out.push('## Reproducibility', '');
  for (const r of m.runs) out.push(`- run \`${r.runId}\`: \`${r.commandLine}\` · seed ${r.seed} · commit ${r.gitCommit} · ${r.host.cpuModel}, ${r.host.cores} cores, kernel ${r.host.kernel} · Node ${r.nodeVersion} · meshes ${Object.entries(r.meshVersions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return `${out.join('\n')}\n`;
}
