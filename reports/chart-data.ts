// Rows for each chart spec in reports/charts/: flat records in vega-lite's long format, computed from the cells.
// The spec files hold the chart design; this module holds only the numbers they draw.
import { PERCENTILES, PERCENTILE_LABEL, overheads, spreadOf, type Cell } from './aggregate.ts';
import type { Results } from './schema.ts';

export type Row = Record<string, string | number | boolean | null>;
export const CHARTS = [
  'latency-percentiles', 'added-latency', 'latency-distribution', 'throughput', 'max-rps', 'resources', 'security-matrix', 'install',
] as const;
export type ChartName = (typeof CHARTS)[number];

/** Names a series: the mesh alone, or "mesh (platform)" when the report holds more than one platform or workload. */
export function seriesNamer(results: Results): (r: { mesh: string; platform: string; workload: string }) => string {
  const platforms = new Set([...results.scenarios, ...results.probes, ...results.installs, ...results.maxRps].map((x) => x.platform));
  const workloads = new Set([...results.scenarios, ...results.probes, ...results.installs, ...results.maxRps].map((x) => x.workload));
  return (r) => {
    const extra = [platforms.size > 1 ? r.platform : '', workloads.size > 1 ? r.workload : ''].filter(Boolean);
    return extra.length ? `${r.mesh} (${extra.join(', ')})` : r.mesh;
  };
}

const round = (x: number, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);
const flagOf = (c: Cell) => (c.saturated && c.noisy ? 'saturated + noisy' : c.saturated ? 'saturated' : c.noisy ? 'noisy' : 'ok');

export function chartRows(results: Results, cells: Cell[]): Record<ChartName, Row[]> {
  const series = seriesNamer(results);
  const ovs = overheads(cells);
  const mb = (b: number) => b / (1024 * 1024);
  return {
    'latency-percentiles': cells.flatMap((c) => PERCENTILES.map((p) => ({
      series: series(c), targetRps: c.targetRps, percentile: PERCENTILE_LABEL[p], ms: round(c.latency[p]), lo: round(c.spread[p].min), hi: round(c.spread[p].max),
      reps: c.reps, flag: flagOf(c),
    }))),
    'added-latency': ovs.flatMap((o) => (['p50', 'p99'] as const).map((p) => ({
      series: series(o.cell), targetRps: o.cell.targetRps, percentile: PERCENTILE_LABEL[p], addedMs: round(o.added[p].ms), lo: round(o.added[p].lo), hi: round(o.added[p].hi),
      saturated: o.saturated,
    }))),
    'latency-distribution': cells.flatMap((c) => c.curve.map((pt) => ({
      series: series(c), targetRps: c.targetRps, percentile: pt.percentile, oneIn: pt.percentile >= 100 ? 1e6 : round(1 / (1 - pt.percentile / 100), 1), ms: round(pt.ms),
    }))),
    throughput: cells.map((c) => ({
      series: series(c), targetRps: c.targetRps, achievedRps: round(c.achievedRps.median, 1), lo: round(c.achievedRps.min, 1), hi: round(c.achievedRps.max, 1),
      errorRatePct: round(100 * c.errorRate, 4), flag: flagOf(c), noisyReason: c.noisyReason ?? '',
    })),
    'max-rps': results.maxRps.map((m) => ({
      series: series(m), maxRps: m.maxRps ?? 0, label: m.maxRps === null ? 'SLO not met' : `${m.maxRps} rps`, slo: m.slo, steps: m.steps.length,
      evidence: m.steps.map((s) => `${s.rps} rps: ${s.met ? 'met' : 'missed'} (p99 ${round(s.p99Ms, 1)} ms, errors ${round(100 * s.errorRate, 3)} %)`).join('; '),
    })),
    resources: cells.flatMap((c) => {
      const r = c.resources;
      const groups: [string, number, number][] = [
        ['per proxy', r.perProxyCpuCores, r.perProxyRssPeakMb], ['control plane', r.controlPlaneCpuCores, r.controlPlaneRssPeakMb], ['mesh total', r.meshCpuCores, r.meshRssPeakMb],
      ];
      return groups.flatMap(([group, cpu, rss]) => [
        { series: series(c), targetRps: c.targetRps, group, metric: 'CPU (cores, mean)', value: round(cpu, 4) },
        { series: series(c), targetRps: c.targetRps, group, metric: 'memory (MB, peak RSS)', value: round(rss, 1) },
      ]);
    }),
    'security-matrix': results.probes.map((p) => ({
      series: series(p), column: `${series(p)} · ${p.policy}`, probe: p.probe, policy: p.policy, outcome: p.outcome, summary: p.summary,
      evidence: JSON.stringify(p.evidence).slice(0, 400),
    })),
    install: (() => {
      const byMesh = new Map<string, typeof results.installs>();
      for (const i of results.installs) byMesh.set(series(i), [...(byMesh.get(series(i)) ?? []), i]);
      return [...byMesh].flatMap(([s, rows]) => ([
        ['time to ready (s)', rows.map((i) => i.timeToReadyMs / 1000)], ['steps', rows.map((i) => i.steps)], ['objects applied', rows.map((i) => i.objects)], ['CRDs added', rows.map((i) => i.crds)],
      ] as [string, number[]][]).map(([metric, values]) => { const sp = spreadOf(values); return { series: s, metric, value: round(sp.median, 2), lo: round(sp.min, 2), hi: round(sp.max, 2), reps: values.length }; }));
    })(),
  };
}

/** Every series name in the report, in a stable order, so each mesh keeps its colour across charts. */
export function seriesDomain(rows: Record<ChartName, Row[]>): string[] {
  return [...new Set(Object.values(rows).flatMap((rs) => rs.map((r) => String(r.series))))].sort();
}
