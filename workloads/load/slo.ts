// Service-level objectives for the max-rate search: "p99<50ms,errors<0.1%".
//
// Grammar: clauses separated by commas; each is METRIC OP VALUE with OP `<` or `<=`.
//   latency metrics: p50 p90 p99 p999 mean max — VALUE needs a unit: us, µs, ms or s (e.g. 50ms, 0.2s)
//   errors — VALUE in percent of measured requests (e.g. 0.1%)
// A run also fails any SLO when it is saturated (achieved rate < 95% of target): its latency is then not trustworthy.
import type { LoadResult } from './types.ts';
import { totalErrors } from './errors.ts';

export type LatencyMetric = 'p50' | 'p90' | 'p99' | 'p999' | 'mean' | 'max';
export type SloClause =
  | { metric: LatencyMetric; op: '<' | '<='; thresholdMs: number; text: string }
  | { metric: 'errors'; op: '<' | '<='; thresholdRatio: number; text: string };

export interface Slo {
  text: string;
  clauses: SloClause[];
}

/** The achieved rate must reach this share of the target for a run to count (else it is saturated). */
export const SATURATION_RATIO = 0.95;

const LATENCY_METRICS = new Set<string>(['p50', 'p90', 'p99', 'p999', 'mean', 'max']);
const UNIT_MS: Record<string, number> = { us: 0.001, 'µs': 0.001, ms: 1, s: 1000 };
const CLAUSE = /^\s*([a-z0-9]+)\s*(<=|<)\s*([0-9]*\.?[0-9]+)\s*(us|µs|ms|s|%)?\s*$/i;

export function parseSlo(text: string): Slo {
  const example = 'e.g. "p99<50ms,errors<0.1%"';
  if (!text.trim()) throw new Error(`--slo is empty; give clauses like ${example}`);
  const clauses = text.split(',').map((raw): SloClause => {
    const m = CLAUSE.exec(raw);
    if (!m) throw new Error(`--slo clause "${raw.trim()}" is not METRIC<VALUE; ${example} (metrics: p50 p90 p99 p999 mean max errors)`);
    const [, metricRaw, op, num, unitRaw] = m;
    const metric = metricRaw.toLowerCase();
    const value = Number(num);
    const unit = unitRaw?.toLowerCase();
    if (metric === 'errors') {
      if (unit !== '%') throw new Error(`--slo clause "${raw.trim()}": errors needs a percentage, e.g. errors<0.1%`);
      if (value > 100) throw new Error(`--slo clause "${raw.trim()}": an error rate above 100% cannot be reached`);
      return { metric: 'errors', op: op as '<' | '<=', thresholdRatio: value / 100, text: raw.trim() };
    }
    if (!LATENCY_METRICS.has(metric)) {
      throw new Error(`--slo clause "${raw.trim()}": unknown metric "${metricRaw}"; use one of p50 p90 p99 p999 mean max errors`);
    }
    if (!unit || unit === '%') throw new Error(`--slo clause "${raw.trim()}": latency needs a unit (us, ms or s), e.g. ${metric}<50ms`);
    if (!(value > 0)) throw new Error(`--slo clause "${raw.trim()}": the latency bound must be > 0`);
    return { metric: metric as LatencyMetric, op: op as '<' | '<=', thresholdMs: value * UNIT_MS[unit], text: raw.trim() };
  });
  return { text, clauses };
}

export interface SloVerdict {
  met: boolean;
  p99Ms: number;
  errorRate: number;
  achievedRps: number;
  /** Every clause with its measured value, and saturation when it applies. */
  reason: string;
}

export type Measured = Pick<LoadResult, 'total' | 'achievedRps'> & { targetRps: number };

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function checkSlo(slo: Slo, r: Measured): SloVerdict {
  const requests = r.total.requests;
  const errorRate = requests > 0 ? totalErrors(r.total.errors) / requests : 1;
  const parts: string[] = [];
  let met = requests > 0;
  if (requests === 0) parts.push('no requests were measured');
  for (const c of slo.clauses) {
    const value = c.metric === 'errors' ? errorRate : r.total.latencyMs[c.metric];
    const bound = c.metric === 'errors' ? c.thresholdRatio : c.thresholdMs;
    const ok = c.op === '<' ? value < bound : value <= bound;
    met &&= ok;
    const shown = c.metric === 'errors' ? `errors ${fmt(value * 100)}%` : `${c.metric} ${fmt(value)}ms`;
    parts.push(`${shown} ${ok ? 'meets' : 'misses'} ${c.text}`);
  }
  const ratio = r.targetRps > 0 ? r.achievedRps / r.targetRps : 0;
  if (ratio < SATURATION_RATIO) {
    met = false;
    parts.push(`saturated: achieved ${fmt(r.achievedRps)} of ${fmt(r.targetRps)} req/s (< ${SATURATION_RATIO * 100}%)`);
  }
  return { met, p99Ms: r.total.latencyMs.p99, errorRate, achievedRps: r.achievedRps, reason: parts.join('; ') };
}
