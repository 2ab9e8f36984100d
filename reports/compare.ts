// The regression view: what changed between two runs beyond the noise. A latency or cost change counts only when
// the new run's repetition range lies wholly outside the old run's range AND the medians differ by more than a
// relative threshold (and an absolute floor), so one slow repetition or a rounding-sized change is not reported.
import { buildCells, type Cell, type Spread } from './aggregate.ts';
import { table } from './markdown.ts';
import type { Results } from './schema.ts';

export interface CompareOptions {
  /** Smallest relative change of a median worth reporting (default 0.10 = 10 %). */
  threshold?: number;
}

export type ChangeKind = 'regression' | 'improvement' | 'missing' | 'new';

export interface Change {
  kind: ChangeKind;
  subject: string;
  metric: string;
  before: string;
  after: string;
  why: string;
}

export interface Comparison {
  changes: Change[];
  regressions: number;
  improvements: number;
  compared: number;
  /** Fewest repetitions in any compared cell: below 3 the noise is barely known. */
  minReps: number;
  threshold: number;
}

interface Metric { name: string; unit: string; floor: number; lowerIsBetter: boolean; get: (c: Cell) => Spread }
const METRICS: Metric[] = [
  { name: 'p50', unit: 'ms', floor: 0.2, lowerIsBetter: true, get: (c) => ({ ...c.spread.p50, median: c.latency.p50 }) },
  { name: 'p99', unit: 'ms', floor: 0.5, lowerIsBetter: true, get: (c) => ({ ...c.spread.p99, median: c.latency.p99 }) },
  { name: 'p99.9', unit: 'ms', floor: 1, lowerIsBetter: true, get: (c) => ({ ...c.spread.p999, median: c.latency.p999 }) },
  { name: 'achieved rps', unit: 'req/s', floor: 1, lowerIsBetter: false, get: (c) => c.achievedRps },
  { name: 'mesh CPU', unit: 'cores', floor: 0.01, lowerIsBetter: true, get: (c) => c.resourceSpread.meshCpuCores },
  { name: 'mesh memory', unit: 'MB', floor: 4, lowerIsBetter: true, get: (c) => c.resourceSpread.meshRssPeakMb },
];

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));
const range = (s: Spread, unit: string) => `${fmt(s.median)} ${unit} [${fmt(s.min)}–${fmt(s.max)}]`;

export function compareResults(before: Results, after: Results, opts: CompareOptions = {}): Comparison {
  const threshold = opts.threshold ?? 0.1;
  const a = new Map(buildCells(before).map((c) => [c.key, c]));
  const b = new Map(buildCells(after).map((c) => [c.key, c]));
  const changes: Change[] = [];
  let compared = 0;
  let minReps = Infinity;
  for (const [key, ca] of a) {
    const cb = b.get(key);
    if (!cb) { changes.push({ kind: 'missing', subject: key, metric: 'scenario', before: `${ca.reps} reps`, after: 'not measured', why: 'no result in the new run' }); continue; }
    compared++;
    minReps = Math.min(minReps, ca.reps, cb.reps);
    for (const m of METRICS) {
      const sa = m.get(ca), sb = m.get(cb);
      const delta = sb.median - sa.median;
      const rel = sa.median ? Math.abs(delta) / sa.median : Infinity;
      const outside = sb.min > sa.max || sb.max < sa.min;
      if (!outside || rel <= threshold || Math.abs(delta) <= m.floor) continue;
      const worse = m.lowerIsBetter ? delta > 0 : delta < 0;
      changes.push({
        kind: worse ? 'regression' : 'improvement', subject: key, metric: m.name, before: range(sa, m.unit), after: range(sb, m.unit),
        why: `${delta > 0 ? '+' : ''}${(100 * (delta / sa.median)).toFixed(0)} %, outside the old repetition range`,
      });
    }
    if (cb.saturated !== ca.saturated) {
      changes.push({ kind: cb.saturated ? 'regression' : 'improvement', subject: key, metric: 'saturation', before: ca.saturated ? 'saturated' : 'kept up', after: cb.saturated ? 'saturated' : 'kept up', why: 'achieved rate vs target (5 % rule)' });
    }
    // Errors: a change of more than 0.1 percentage point of requests.
    if (Math.abs(cb.errorRate - ca.errorRate) > 0.001) {
      changes.push({ kind: cb.errorRate > ca.errorRate ? 'regression' : 'improvement', subject: key, metric: 'error rate', before: `${(100 * ca.errorRate).toFixed(3)} %`, after: `${(100 * cb.errorRate).toFixed(3)} %`, why: 'more than 0.1 percentage point' });
    }
  }
  for (const key of b.keys()) if (!a.has(key)) changes.push({ kind: 'new', subject: key, metric: 'scenario', before: 'not measured', after: `${b.get(key)!.reps} reps`, why: 'only in the new run' });

  const probeKey = (p: Results['probes'][number]) => `${p.platform}/${p.mesh}/${p.workload} probe ${p.probe} (${p.policy})`;
  const probesA = new Map(before.probes.map((p) => [probeKey(p), p]));
  for (const pb of after.probes) {
    const pa = probesA.get(probeKey(pb));
    if (!pa || pa.outcome === pb.outcome) continue;
    const kind: ChangeKind = pb.outcome === 'pass' ? 'improvement' : pa.outcome === 'pass' || pb.outcome === 'error' ? 'regression' : 'improvement';
    changes.push({ kind, subject: probeKey(pb), metric: 'probe outcome', before: pa.outcome, after: pb.outcome, why: pb.summary });
  }
  const failKey = (f: Results['failures'][number]) => `${f.platform}/${f.mesh}/${f.workload} ${f.stage}`;
  const oldFailures = new Set(before.failures.map(failKey));
  for (const f of after.failures) if (!oldFailures.has(failKey(f))) changes.push({ kind: 'regression', subject: failKey(f), metric: 'failure', before: 'ok', after: 'failed', why: f.message });

  const order: Record<ChangeKind, number> = { regression: 0, improvement: 1, missing: 2, new: 3 };
  changes.sort((x, y) => order[x.kind] - order[y.kind] || x.subject.localeCompare(y.subject));
  return { changes, compared, minReps: Number.isFinite(minReps) ? minReps : 0, threshold, regressions: changes.filter((c) => c.kind === 'regression').length, improvements: changes.filter((c) => c.kind === 'improvement').length };
}

export function renderComparison(c: Comparison, before: Results, after: Results): string {
  const head = `# meshbench comparison: ${before.meta.runId} → ${after.meta.runId}\n\n` +
    `${c.compared} scenario cells compared; ${c.regressions} regression(s), ${c.improvements} improvement(s) beyond the noise ` +
    `(a change counts when the new repetitions all lie outside the old ones' range and the median moved more than ${(100 * c.threshold).toFixed(0)} %).\n` +
    (c.compared && c.minReps < 3 ? `\nNote: some cells have only ${c.minReps} repetition(s), so their noise is barely known; run more reps (--reps 3 or more) before trusting a single change.\n` : '');
  if (!c.changes.length) return `${head}\nNothing changed beyond the noise.\n`;
  return `${head}\n${table(['change', 'scenario', 'metric', 'before', 'after', 'why'], c.changes.map((x) => [x.kind, x.subject, x.metric, x.before, x.after, x.why]))}\n`;
}

