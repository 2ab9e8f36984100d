// index.html: one self-contained file. vega, vega-lite and vega-embed are inlined from node_modules so the report
// opens offline, from a CI artifact or an email attachment, years later.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PERCENTILES, PERCENTILE_LABEL } from './aggregate.ts';
import { CHARTS, seriesNamer, type ChartName } from './chart-data.ts';
import type { ReportModel } from './model.ts';
import type { RunMeta } from './schema.ts';

const require = createRequire(import.meta.url);
const LIBS: [string, string][] = [['vega', 'build/vega.min.js'], ['vega-lite', 'build/vega-lite.min.js'], ['vega-embed', 'build/vega-embed.min.js']];
let libCache: string | undefined;

/** The browser build of an installed package (its "exports" hide build/ from require.resolve). */
function browserBuild(pkg: string, file: string): string {
  for (let dir = dirname(require.resolve(pkg)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === pkg) return readFileSync(join(dir, file), 'utf8');
  }
  throw new Error(`Cannot find ${pkg}/${file}. Fix: run \`npm ci\` so the report can inline ${pkg}.`);
}
function inlineLibs(): string {
  // A literal "</script" inside inlined code would end the element early; none of these builds has one, but guard anyway.
  libCache ??= LIBS.map(([pkg, file]) => `<script>${browserBuild(pkg, file).replace(/<\/script/gi, '<\\/script')}</script>`).join('\n');
  return libCache;
}

export const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** JSON that is safe inside a <script> element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');
const num = (x: number, d = 2) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(d)) : '–');
const link = (s: string) => (/^https?:\/\//.test(s) ? `<a href="${esc(s)}">${esc(s)}</a>` : esc(s));

export const CHART_TITLES: Record<ChartName, [string, string]> = {
  'latency-percentiles': ['Latency percentiles vs rate', 'Merged HDR histogram of all repetitions per mesh and level (p50, p90, p99, p99.9, max); the vertical bar is the min–max across repetitions.'],
  'added-latency': ['Added latency over the baseline', 'Mesh minus the "none" baseline on the same platform and rate, for p50 and p99. Levels where either side saturated are labelled "sat." and not drawn: that difference is queueing, not overhead.'],
  'latency-distribution': ['Full latency distribution', 'HDR percentile curve of the merged histogram, log scales: the tail is where meshes differ.'],
  throughput: ['Achieved vs target rate, and errors', 'Saturated scenarios (achieved more than 5 % short of the target) and noisy ones (repetitions spread more than 25 %) are marked by shape.'],
  'max-rps': ['Max rate under the SLO', 'Highest rate that met the SLO in the bounded search; hover for every step.'],
  resources: ['CPU and memory', 'Mean CPU cores over the measured window and peak RSS: per proxy, control plane, and mesh total (all proxies + control plane). Median of repetitions.'],
  'security-matrix': ['Security matrix', 'Probe × mesh × policy profile; hover a cell for the evidence.'],
  install: ['Install and operation', 'Time until ready and meshed, steps, objects applied, CRDs added.'],
};

function scorecardSection(m: ReportModel): string {
  const sc = m.scorecard;
  const crit = sc.criteria;
  const head = `<tr><th>rank</th><th>mesh</th><th>score</th>${crit.map((c) => `<th>${esc(c.label)}<br><small>${c.scored ? `weight ${c.weight.toFixed(2)}` : esc(c.note)}</small></th>`).join('')}</tr>`;
  const rows = sc.ranking.map((r) => `<tr data-mesh="${esc(r.mesh)}" data-rank="${r.rank}" data-total="${r.total.toFixed(4)}"><td>${r.rank}</td><th>${esc(r.mesh)}</th><td class="total">${r.total.toFixed(2)}</td>` +
    crit.map((c) => { const p = c.perMesh[r.mesh]; return `<td data-criterion="${c.id}" data-score="${p ? p.score.toFixed(4) : ''}">${p ? `<b>${p.score.toFixed(2)}</b> <small>${esc(p.raw)}</small>` : '–'}</td>`; }).join('') + '</tr>');
  const nm = sc.notMeasured.map((n) => `<tr class="not-measured" data-mesh="${esc(n.mesh)}" data-rank=""><td>–</td><th>${esc(n.mesh)}</th><td>not measured</td><td colspan="${crit.length}">${esc(n.reason)}</td></tr>`);
  const facts = Object.entries(m.facts.meshes).filter(([mesh]) => sc.ranking.some((r) => r.mesh === mesh) || sc.notMeasured.some((n) => n.mesh === mesh));
  return `<section id="decision"><h2>Decision</h2>
<p id="recommendation" class="recommendation">${esc(sc.recommendation)}</p>
<p id="sensitivity"><b>Sensitivity:</b> ${esc(sc.sensitivity)}</p>
${sc.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
<table id="scorecard"><thead>${head}</thead><tbody>${rows.join('')}${nm.join('')}</tbody></table>
<p class="small">Scores are in [0, 1]; lower-is-better numbers are scored by ratio to the best contender. Latency overhead is averaged over the levels ${sc.levels.length ? esc(sc.levels.join(', ')) + ' req/s' : '(each mesh\'s own unsaturated levels)'} where no contender saturated. The baseline "${esc(sc.baseline)}" is the reference, not a contender. Weights and method: reports/scorecard.yaml.</p>
<h3>Documented inputs (not measured)</h3>
<table id="documented"><thead><tr><th>mesh</th><th>licence</th><th>source</th><th>release model</th><th>source</th></tr></thead><tbody>
${facts.map(([mesh, f]) => `<tr><th>${esc(mesh)}</th><td>${esc(f.licence)}</td><td>${link(f.licenceSource)}</td><td>${esc(f.releaseModel)}</td><td>${link(f.releaseSource)}</td></tr>`).join('\n')}
</tbody></table></section>`;
}

function caveatsSection(m: ReportModel): string {
  const series = seriesNamer(m.results);
  const sat = m.cells.filter((c) => c.saturated);
  const noisy = m.cells.filter((c) => c.noisy);
  if (!sat.length && !noisy.length) return '<section id="caveats"><h2>Caveats</h2><p>No saturated or noisy scenario.</p></section>';
  return `<section id="caveats"><h2>Caveats</h2>
${sat.length ? `<p><b>Saturated — not overhead figures:</b> the achieved rate fell more than 5 % short of the target, so these latencies measure queueing in front of an overloaded system, not what the mesh adds.</p><ul>${sat.map((c) => `<li class="saturated" data-cell="${esc(c.key)}">${esc(series(c))} at ${c.targetRps} req/s: achieved ${num(c.achievedRps.median, 1)} req/s</li>`).join('')}</ul>` : ''}
${noisy.length ? `<p><b>Noisy:</b> repetitions disagree; read these with their spread.</p><ul>${noisy.map((c) => `<li class="noisy">${esc(series(c))} at ${c.targetRps} req/s: ${esc(c.noisyReason)}</li>`).join('')}</ul>` : ''}
</section>`;
}

function failuresSection(m: ReportModel): string {
  const f = m.results.failures;
  if (!f.length) return '<section id="failures"><h2>Failures</h2><p>None.</p></section>';
  return `<section id="failures"><h2>Failures (${f.length})</h2>
${f.map((x) => `<div class="failure" data-mesh="${esc(x.mesh)}" data-stage="${esc(x.stage)}"><p><b>${esc(x.mesh)}</b> on ${esc(x.platform)} — ${esc(x.stage)} failed${x.rep ? ` (rep ${x.rep})` : ''}${x.targetRps ? ` at ${x.targetRps} req/s` : ''}, ${esc(x.at)}: ${esc(x.message)}</p>${x.logExcerpt ? `<pre class="log">${esc(x.logExcerpt)}</pre>` : '<p class="small">(no log excerpt recorded)</p>'}</div>`).join('\n')}
</section>`;
}

function chartsSection(m: ReportModel): string {
  return CHARTS.map((name) => {
    const [title, caption] = CHART_TITLES[name];
    const body = m.charts[name] ? `<div class="chart" id="chart-${name}" data-chart="${name}"></div>` : `<p class="no-data" data-chart-empty="${name}">No data for this chart in this run.</p>`;
    return `<figure id="fig-${name}"><h3>${esc(title)}</h3>${body}<figcaption>${esc(caption)} <small>Spec: reports/charts/${name}.vl.json</small></figcaption></figure>`;
  }).join('\n');
}

function latencyTable(m: ReportModel): string {
  const series = seriesNamer(m.results);
  const added = new Map(m.overheads.map((o) => [o.cell.key, o]));
  const rows = m.cells.map((c) => {
    const o = added.get(c.key);
    const flags = [c.saturated ? 'saturated: not an overhead figure' : '', c.noisy ? `noisy (${c.noisyReason})` : ''].filter(Boolean).join('; ');
    return `<tr data-cell="${esc(c.key)}"${c.saturated ? ' class="saturated"' : ''}><td>${esc(c.platform)}</td><th>${esc(series(c))}</th><td>${c.targetRps}</td><td>${num(c.achievedRps.median, 1)}</td>` +
      PERCENTILES.map((p) => `<td title="reps ${num(c.spread[p].min)}–${num(c.spread[p].max)} ms">${num(c.latency[p])}</td>`).join('') +
      `<td>${o && !o.saturated ? num(o.added.p50.ms) : '–'}</td><td>${o && !o.saturated ? num(o.added.p99.ms) : '–'}</td><td>${num(100 * c.errorRate, 3)}</td><td>${c.reps}</td><td>${esc(flags)}</td></tr>`;
  });
  return `<section id="latency-table"><h2>Measured latency</h2><p class="small">Milliseconds, from the merged histogram of all repetitions (hover a value for the repetitions' range). "+p50"/"+p99": added over the baseline on the same platform and level.</p>
<table><thead><tr><th>platform</th><th>mesh</th><th>target rps</th><th>achieved</th>${PERCENTILES.map((p) => `<th>${PERCENTILE_LABEL[p]}</th>`).join('')}<th>+p50</th><th>+p99</th><th>errors %</th><th>reps</th><th>flags</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

function securityTable(m: ReportModel): string {
  const series = seriesNamer(m.results);
  const probes = [...new Set(m.results.probes.map((p) => p.probe))];
  const cols = [...new Map(m.results.probes.map((p) => [`${series(p)}|${p.policy}`, { s: series(p), mesh: p.mesh, platform: p.platform, policy: p.policy }])).values()];
  if (!probes.length) return '<section id="security"><h2>Security probes</h2><p>No probe results in this run.</p></section>';
  const cell = (probe: string, col: (typeof cols)[number]) => {
    const p = m.results.probes.find((x) => x.probe === probe && series(x) === col.s && x.policy === col.policy);
    return p ? `<td class="outcome ${p.outcome}" data-mesh="${esc(p.mesh)}" data-platform="${esc(p.platform)}" data-policy="${esc(p.policy)}" data-probe="${esc(probe)}" title="${esc(`${p.summary}\n${JSON.stringify(p.evidence).slice(0, 400)}`)}">${p.outcome}</td>` : '<td>–</td>';
  };
  return `<section id="security"><h2>Security probes</h2>
<table id="security-table"><thead><tr><th>probe</th>${cols.map((c) => `<th>${esc(c.s)}<br><small>${esc(c.policy)} policy</small></th>`).join('')}</tr></thead>
<tbody>${probes.map((p) => `<tr><th>${esc(p)}</th>${cols.map((c) => cell(p, c)).join('')}</tr>`).join('\n')}</tbody></table></section>`;
}

function publishedSection(m: ReportModel): string {
  return `<section id="published"><h2>Published reference figures — not measured by this run</h2>
<p class="small">Numbers from other benchmarks, on other hardware, harnesses and versions. They give context; they are not comparable with the measurements above.</p>
<ul>${m.facts.published.map((p) => `<li>${esc(p.claim)} <small>— ${esc(p.source)}${p.url ? `, ${link(p.url)}` : ''}</small></li>`).join('\n')}</ul></section>`;
}

function runBlock(r: RunMeta): string {
  const rows: [string, string][] = [
    ['run id', r.runId], ['command line', r.commandLine], ['seed', String(r.seed)], ['git commit', r.gitCommit], ['harness version', r.harnessVersion],
    ['started / ended', `${r.startedAt} / ${r.endedAt ?? '(not finished)'}`],
    ['host', `${r.host.hostname}: ${r.host.cpuModel}, ${r.host.cores} cores, ${(r.host.memoryBytes / 1024 ** 3).toFixed(1)} GiB, ${r.host.os}, kernel ${r.host.kernel}`],
    ['Node.js', r.nodeVersion],
    ['mesh versions', Object.entries(r.meshVersions).map(([k, v]) => `${k} ${v}`).join(', ')],
    ['tool versions', Object.entries(r.toolVersions).map(([k, v]) => `${k} ${v}`).join(', ')],
    ['config', JSON.stringify(r.config)],
  ];
  return `<dl class="run" data-run="${esc(r.runId)}">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd><code>${esc(v)}</code></dd>`).join('')}</dl>`;
}

function reproSection(m: ReportModel): string {
  return `<section id="reproducibility"><h2>Reproducibility</h2>
<p class="small">Re-render this report with <code>npm run report -- DIR</code>; re-run the measurement with the command line below at the same git commit and seed.</p>
${m.runs.map(runBlock).join('\n')}</section>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1400px;padding:1em 2em;color:#222}
h1{margin-bottom:0}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
thead th{background:#f4f4f4}.recommendation{font-size:1.15em;background:#eef6ee;padding:.6em;border-left:4px solid #2e7d32}
.note{background:#fff8e1;padding:.3em .6em}.small,small{color:#555;font-size:.85em}tr.saturated td{color:#999}
td.outcome.pass{background:#e8f5e9}td.outcome.fail{background:#ffebee}td.outcome.error{background:#fff3e0}td.outcome.not-applicable{color:#999}
pre.log{background:#272822;color:#f8f8f2;padding:.6em;overflow:auto;max-height:20em}figure{margin:1.5em 0}dl.run{display:grid;grid-template-columns:max-content 1fr;gap:2px 1em}
dd{margin:0}code{white-space:pre-wrap;word-break:break-all}.failure{border-left:4px solid #c62828;padding-left:.6em;margin:.6em 0}`;

export function renderHtml(m: ReportModel): string {
  const r = m.results;
  const meshes = [...new Set([...r.scenarios, ...r.installs, ...r.failures, ...r.probes].map((x) => x.mesh))];
  const platforms = [...new Set([...r.scenarios, ...r.probes, ...r.installs, ...r.failures].map((x) => x.platform))];
  const specs = Object.fromEntries(Object.entries(m.charts).filter(([, s]) => s));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>meshbench report ${esc(m.runs.map((x) => x.runId).join(' + '))}</title><style>${STYLE}</style></head>
<body>
<h1>meshbench: which service mesh?</h1>
<p class="small">Run${m.runs.length > 1 ? 's' : ''} ${esc(m.runs.map((x) => x.runId).join(', '))} · platform${platforms.length > 1 ? 's' : ''} ${esc(platforms.join(', '))} · meshes ${esc(meshes.join(', '))} · ${r.scenarios.length} scenarios, ${r.probes.length} probe results, ${r.failures.length} failures</p>
<nav class="small"><a href="#decision">decision</a> · <a href="#caveats">caveats</a> · <a href="#failures">failures</a> · <a href="#charts">charts</a> · <a href="#latency-table">latency table</a> · <a href="#security">security</a> · <a href="#published">published figures</a> · <a href="#reproducibility">reproducibility</a></nav>
${scorecardSection(m)}
${caveatsSection(m)}
${failuresSection(m)}
<section id="charts"><h2>Measurements</h2>
${chartsSection(m)}
</section>
${latencyTable(m)}
${securityTable(m)}
${publishedSection(m)}
${reproSection(m)}
${inlineLibs()}
<script type="application/json" id="chart-specs">${scriptJson(specs)}</script>
<script>
(function () {
  var specs = JSON.parse(document.getElementById('chart-specs').textContent);
  var pending = Object.keys(specs).map(function (name) {
    var el = document.getElementById('chart-' + name);
    return vegaEmbed(el, specs[name], { renderer: 'svg', actions: false })
      .then(function () { el.setAttribute('data-rendered', 'true'); })
      .catch(function (err) { el.setAttribute('data-rendered', 'error'); el.textContent = 'This chart failed to render: ' + err; console.error('chart ' + name + ':', err); });
  });
  Promise.all(pending).then(function () { document.body.setAttribute('data-charts-done', 'true'); });
})();
</script>
</body></html>
`;
}
