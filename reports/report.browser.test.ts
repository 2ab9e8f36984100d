// Loads a generated report in headless Chromium (Debian's chromium, driven by playwright-core) and checks what a
// reader sees: every chart drawn, no console errors, no network, and the scorecard and security matrix as computed.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { withBrowser } from './browser.ts';
import { buildReport } from './build.ts';
import { CHARTS } from './chart-data.ts';
import { generateResults } from './fixtures.ts';
import { computeScorecard, loadFacts, loadScorecard } from './scorecard.ts';

const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'meshbench-report-browser-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('report in headless Chromium', () => {
  it('renders every chart, logs no error, and shows the scorecard and security matrix of the input', async () => {
    const results = generateResults({ seed: 51, reps: 3, failedInstall: ['istio'], meshes: ['none', 'linkerd', 'consul', 'custom', 'istio'], noisyCell: { mesh: 'consul', targetRps: 200 } });
    const files = await buildReport(results, tmp);
    const expected = computeScorecard(results, loadScorecard(), loadFacts());

    await withBrowser(async (ctx) => {
      const page = await ctx.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
      await page.goto(`file://${files.index}`);
      await page.waitForSelector('body[data-charts-done]', { timeout: 60_000 });

      // Every chart: rendered, an SVG with drawn marks (vega puts each mark's items under g.mark-<type>).
      const charts = await page.$$eval('.chart', (els) => els.map((el) => ({
        name: el.getAttribute('data-chart'), rendered: el.getAttribute('data-rendered'),
        svg: el.querySelectorAll('svg').length, marks: el.querySelectorAll('svg g[class^="mark-"] > path, svg g[class^="mark-"] > text, svg g[class^="mark-"] > line').length,
      })));
      assert.deepEqual(charts.map((c) => c.name), [...CHARTS]);
      for (const c of charts) {
        assert.equal(c.rendered, 'true', `${c.name} rendered`);
        assert.equal(c.svg >= 1, true, `${c.name} has an svg`);
        assert.ok(c.marks > 5, `${c.name} draws marks (${c.marks})`);
      }
      assert.deepEqual(problems, []);
      assert.deepEqual(requests, [], 'the report loads nothing from the network');

      // Scorecard rows: same order, totals and per-criterion scores as computed from the input.
      const rows = await page.$$eval('#scorecard tbody tr', (trs) => trs.map((tr) => ({
        mesh: tr.getAttribute('data-mesh'), rank: tr.getAttribute('data-rank'), total: tr.getAttribute('data-total'),
        scores: Object.fromEntries([...tr.querySelectorAll('td[data-criterion]')].map((td) => [td.getAttribute('data-criterion'), td.getAttribute('data-score')])),
        text: tr.textContent,
      })));
      assert.deepEqual(rows.slice(0, 3).map((r) => [r.mesh, r.rank, r.total]), expected.ranking.map((r) => [r.mesh, String(r.rank), r.total.toFixed(4)]));
      for (const r of expected.ranking) {
        const row = rows.find((x) => x.mesh === r.mesh)!;
        for (const c of expected.criteria) assert.equal(row.scores[c.id], c.perMesh[r.mesh].score.toFixed(4), `${r.mesh} ${c.id}`);
      }
      const istio = rows.find((r) => r.mesh === 'istio')!;
      assert.match(istio.text ?? '', /not measured.*install failed/);
      assert.equal(await page.textContent('#recommendation'), expected.recommendation);
      assert.equal(expected.ranking.some((r) => r.mesh === 'istio'), false);

      // Security matrix: one table cell per probe record with its outcome, and one drawn rect per record.
      const cells = await page.$$eval('#security-table td[data-probe]', (tds) => tds.map((td) => [td.getAttribute('data-mesh'), td.getAttribute('data-policy'), td.getAttribute('data-probe'), td.textContent]));
      assert.deepEqual(
        cells.map((c) => c.join('|')).sort(),
        results.probes.map((p) => [p.mesh, p.policy, p.probe, p.outcome].join('|')).sort(),
      );
      const rects = await page.$$eval('#chart-security-matrix svg g.mark-rect > path', (ps) => ps.length);
      assert.equal(rects, results.probes.length);

      // The failure is on the page with its log.
      assert.match(await page.textContent('#failures') ?? '', /istio on local — install failed.*\[istio\] error: readiness probe failed/s);
      assert.match(await page.textContent('#caveats') ?? '', /Saturated — not overhead figures/);

      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true });
      await page.locator('#decision').screenshot({ path: join(artifacts, 'report-decision.png') });
    });
  });
});
