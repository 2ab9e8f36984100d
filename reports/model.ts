// Everything the renderers need, computed once from validated Results: cells, overheads, scorecard, chart specs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildCells, overheads, type Cell, type Overhead } from './aggregate.ts';
import { CHARTS, chartRows, seriesDomain, type ChartName, type Row } from './chart-data.ts';
import { computeScorecard, loadFacts, loadScorecard, type DocumentedFacts, type Scorecard, type ScorecardConfig } from './scorecard.ts';
import { runsOf } from './runs.ts';
import type { Results, RunMeta } from './schema.ts';

export interface ReportOptions {
  scorecard?: ScorecardConfig;
  facts?: DocumentedFacts;
}

export interface ReportModel {
  results: Results;
  cells: Cell[];
  overheads: Overhead[];
  scorecard: Scorecard;
  facts: DocumentedFacts;
  /** Chart name → vega-lite spec with its data inlined, or null when the run has no data for that chart. */
  charts: Record<ChartName, object | null>;
  /** The runs this report covers: one, or several after --merge. */
  runs: RunMeta[];
}

const chartFile = (name: ChartName) => fileURLToPath(new URL(`./charts/${name}.vl.json`, import.meta.url));

/** Replaces "$series" placeholders so every chart gives each mesh the same colour. */
function fill(node: unknown, series: string[]): unknown {
  if (node === '$series') return series;
  if (Array.isArray(node)) return node.map((n) => fill(n, series));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v, series)]));
  return node;
}

export function chartSpec(name: ChartName, rows: Row[], series: string[]): object {
  const spec = JSON.parse(readFileSync(chartFile(name), 'utf8')) as Record<string, unknown>;
  return { ...(fill(spec, series) as object), data: { values: rows } };
}


export function buildModel(results: Results, opts: ReportOptions = {}): ReportModel {
  const cells = buildCells(results);
  const facts = opts.facts ?? loadFacts();
  const scorecard = computeScorecard(results, opts.scorecard ?? loadScorecard(), facts, cells);
  const rows = chartRows(results, cells);
  const series = seriesDomain(rows);
  const charts = Object.fromEntries(CHARTS.map((name) => [name, rows[name].length ? chartSpec(name, rows[name], series) : null])) as ReportModel['charts'];
  return { results, cells, overheads: overheads(cells), scorecard, facts, charts, runs: runsOf(results) };
}
