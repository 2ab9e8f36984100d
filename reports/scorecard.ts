// The decision scorecard: measured numbers (and documented facts) → normalised scores per criterion → a weighted
// ranking, a recommendation sentence built from the numbers, and the smallest weight change that would flip it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { z } from 'zod';
import { PERCENTILES, PERCENTILE_LABEL, buildCells, overheads, type Cell, type Overhead } from './aggregate.ts';
import { runsOf } from './runs.ts';
import type { ProbeRecord, Results } from './schema.ts';

const weight = z.number().nonnegative();
const label = z.string().min(1);
export const ScorecardConfig = z.strictObject({
  baseline: z.string().default('none'),
  criteria: z.strictObject({
    latency: z.strictObject({ label, weight, percentiles: z.array(z.enum(PERCENTILES)).min(1), floorMs: z.number().positive() }),
    resources: z.strictObject({ label, weight, floorCores: z.number().positive(), floorMb: z.number().positive() }),
    security: z.strictObject({ label, weight, profiles: z.record(z.string(), weight) }),
    operations: z.strictObject({
      label, weight, floorReadyS: z.number().positive(), floorSteps: z.number().positive(), floorObjects: z.number().positive(), floorCrds: z.number().positive(),
    }),
    licence: z.strictObject({ label, weight, licenceScores: z.record(z.string(), z.number().min(0).max(1)), releaseScores: z.record(z.string(), z.number().min(0).max(1)) }),
  }),
});
export type ScorecardConfig = z.infer<typeof ScorecardConfig>;
export type CriterionId = keyof ScorecardConfig['criteria'];
export const CRITERIA: CriterionId[] = ['latency', 'resources', 'security', 'operations', 'licence'];

const MeshFacts = z.strictObject({
  licence: z.string(), licenceClass: z.string(), licenceSource: z.string(),
  releaseModel: z.string(), releaseClass: z.string(), releaseSource: z.string(),
});
export const DocumentedFacts = z.strictObject({
  meshes: z.record(z.string(), MeshFacts),
  published: z.array(z.strictObject({ claim: z.string(), source: z.string(), url: z.string().optional() })),
});
export type DocumentedFacts = z.infer<typeof DocumentedFacts>;

export const DEFAULT_SCORECARD = fileURLToPath(new URL('./scorecard.yaml', import.meta.url));
export const DEFAULT_FACTS = fileURLToPath(new URL('./documented-facts.yaml', import.meta.url));

/** Reads a YAML file against a schema; the error names the file, every bad field and how to fix it. */
export function loadYaml<T>(file: string, schema: z.ZodType<T>): T {
  let data: unknown;
  try {
    data = YAML.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read as YAML: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 10).map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new Error(`${file} is not valid:\n${problems.join('\n')}\nFix: compare it with the documented defaults in reports/${file.endsWith('facts.yaml') ? 'documented-facts' : 'scorecard'}.yaml.`);
}

export function validateConfig(config: ScorecardConfig): ScorecardConfig {
  const total = CRITERIA.reduce((a, c) => a + config.criteria[c].weight, 0);
  if (!(total > 0)) throw new Error('scorecard: criteria.*.weight are all 0. Fix: give at least one criterion a positive weight.');
  return config;
}

export interface CriterionResult {
  id: CriterionId;
  label: string;
  /** Normalised weight (all weights sum to 1). Zero when the criterion could not be scored. */
  weight: number;
  scored: boolean;
  note: string;
  /** mesh → score in [0, 1] and the numbers behind it, as shown to the reader. */
  perMesh: Record<string, { score: number; raw: string }>;
}

export interface Contender { mesh: string; total: number; rank: number; platforms: string[] }

export interface Scorecard {
  criteria: CriterionResult[];
  ranking: Contender[];
  notMeasured: { mesh: string; reason: string }[];
  baseline: string;
  /** RPS levels over which latency overhead was compared. */
  levels: number[];
  recommendation: string;
  sensitivity: string;
  /** The smallest single-weight change that puts another mesh first (weights as normalised shares). */
  flip?: { criterion: CriterionId; from: number; to: number; winner: string };
  notes: string[];
}

const fmt = (x: number, digits = 2) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(digits));
const ratioScore = (value: number, best: number, floor: number) => (Math.max(best, 0) + floor) / (Math.max(value, 0) + floor);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Every mesh the run intended or touched: scenario, probe, install, failure and max-RPS rows, and the run config. */
export function meshesInRun(results: Results): string[] {
  const configured = runsOf(results).flatMap((r) => (Array.isArray(r.config.meshes) ? r.config.meshes : []));
  const names = [
    ...configured.filter((m): m is string => typeof m === 'string'),
    ...results.scenarios.map((s) => s.mesh), ...results.probes.map((p) => p.mesh), ...results.installs.map((i) => i.mesh),
    ...results.failures.map((f) => f.mesh), ...results.maxRps.map((m) => m.mesh),
  ];
  return [...new Set(names)];
}

export function computeScorecard(results: Results, config: ScorecardConfig, facts: DocumentedFacts, cells: Cell[] = buildCells(results)): Scorecard {
  validateConfig(config);
  const baseline = config.baseline;
  const measured = new Set(cells.map((c) => c.mesh));
  const contenders = meshesInRun(results).filter((m) => m !== baseline && measured.has(m)).sort();
  const notMeasured = meshesInRun(results).filter((m) => m !== baseline && !measured.has(m)).map((mesh) => {
    const f = results.failures.find((x) => x.mesh === mesh);
    return { mesh, reason: f ? `${f.stage} failed: ${f.message}` : 'no scenario results in this run' };
  });
  const notes: string[] = [];
  const platformsOf = (m: string) => [...new Set(cells.filter((c) => c.mesh === m).map((c) => c.platform))].sort();
  if (new Set(contenders.map((m) => platformsOf(m).join('+'))).size > 1) {
    notes.push(`Contenders were measured on different platforms (${contenders.map((m) => `${m}: ${platformsOf(m).join(', ')}`).join('; ')}); each overhead is against its own platform's baseline, so compare with care.`);
  }

  const ovs = overheads(cells);
  // Levels at which every contender and its baseline ran unsaturated: there the difference is overhead.
  const clean = (m: string) => new Set(ovs.filter((o) => o.cell.mesh === m && !o.saturated).map((o) => o.cell.targetRps));
  let levels = contenders.length ? [...clean(contenders[0])].filter((l) => contenders.every((m) => clean(m).has(l))).sort((a, b) => a - b) : [];
  const levelsFor = (m: string) => (levels.length ? levels : [...clean(m)].sort((a, b) => a - b));
  if (!levels.length && contenders.length > 1) notes.push('No RPS level was unsaturated for every contender: each mesh is scored on its own unsaturated levels.');

  const noisyUsed = ovs.filter((o) => contenders.includes(o.cell.mesh) && levelsFor(o.cell.mesh).includes(o.cell.targetRps) && (o.cell.noisy || o.baseline.noisy));
  if (noisyUsed.length) {
    notes.push(`Latency overhead includes noisy scenarios (${noisyUsed.map((o) => `${o.cell.noisy ? o.cell.mesh : o.baseline.mesh} @ ${o.cell.targetRps} rps`).filter((x, i, a) => a.indexOf(x) === i).join(', ')}): differences smaller than their repetition spread are not evidence.`);
  }
  const C = config.criteria;
  const raw: Record<CriterionId, Map<string, { values: number[]; raw: string }>> = {
    latency: new Map(), resources: new Map(), security: new Map(), operations: new Map(), licence: new Map(),
  };
  const missing: Record<CriterionId, string[]> = { latency: [], resources: [], security: [], operations: [], licence: [] };

  for (const mesh of contenders) {
    const mine = ovs.filter((o) => o.cell.mesh === mesh && levelsFor(mesh).includes(o.cell.targetRps) && !o.saturated);
    if (mine.length) {
      const per = C.latency.percentiles.map((p) => mean(mine.map((o) => o.added[p].ms)));
      raw.latency.set(mesh, { values: [mean(per)], raw: C.latency.percentiles.map((p, i) => `${per[i] >= 0 ? '+' : ''}${fmt(per[i])} ms ${PERCENTILE_LABEL[p]}`).join(', ') });
      // Resources at the highest compared level: where a mesh's cost shows most.
      const top = Math.max(...mine.map((o) => o.cell.targetRps));
      const at = mine.filter((o) => o.cell.targetRps === top).map((o) => o.cell);
      const cpu = mean(at.map((c) => c.resources.meshCpuCores));
      const mb = mean(at.map((c) => c.resources.meshRssPeakMb));
      raw.resources.set(mesh, { values: [cpu, mb], raw: `${fmt(cpu, 3)} cores, ${fmt(mb, 0)} MB at ${top} rps` });
    } else {
      missing.latency.push(mesh);
      missing.resources.push(mesh);
    }

    const probes = results.probes.filter((p) => p.mesh === mesh && p.outcome !== 'not-applicable');
    const profiles = Object.entries(C.security.profiles).filter(([name, w]) => w > 0 && probes.some((p) => p.policy === name));
    if (profiles.length) {
      const share = (ps: ProbeRecord[]) => ps.filter((p) => p.outcome === 'pass').length / ps.length;
      const wsum = profiles.reduce((a, [, w]) => a + w, 0);
      const score = profiles.reduce((a, [name, w]) => a + (w * share(probes.filter((p) => p.policy === name))) / wsum, 0);
      const parts = profiles.map(([name]) => { const ps = probes.filter((p) => p.policy === name); return `${name} ${ps.filter((p) => p.outcome === 'pass').length}/${ps.length}`; });
      raw.security.set(mesh, { values: [score], raw: `probes passed: ${parts.join(', ')}` });
    } else missing.security.push(mesh);

    const installs = results.installs.filter((i) => i.mesh === mesh);
    if (installs.length) {
      const v = [median(installs.map((i) => i.timeToReadyMs)) / 1000, median(installs.map((i) => i.steps)), median(installs.map((i) => i.objects)), median(installs.map((i) => i.crds))];
      raw.operations.set(mesh, { values: v, raw: `ready in ${fmt(v[0], 1)} s, ${v[1]} steps, ${v[2]} objects, ${v[3]} CRDs` });
    } else missing.operations.push(mesh);

    const f = facts.meshes[mesh];
    const ls = f && C.licence.licenceScores[f.licenceClass];
    const rs = f && C.licence.releaseScores[f.releaseClass];
    if (f && ls !== undefined && rs !== undefined) raw.licence.set(mesh, { values: [(ls + rs) / 2], raw: `${f.licence}; ${f.releaseClass} releases (documented)` });
    else missing.licence.push(mesh);
  }

  const floors: Record<CriterionId, number[] | null> = {
    latency: [C.latency.floorMs], resources: [C.resources.floorCores, C.resources.floorMb], security: null,
    operations: [C.operations.floorReadyS, C.operations.floorSteps, C.operations.floorObjects, C.operations.floorCrds], licence: null,
  };
  const weightSum = CRITERIA.filter((c) => !missing[c].length && contenders.length).reduce((a, c) => a + C[c].weight, 0);
  const criteria: CriterionResult[] = CRITERIA.map((id) => {
    const scored = contenders.length > 0 && missing[id].length === 0 && weightSum > 0;
    const perMesh: CriterionResult['perMesh'] = {};
    for (const [mesh, r] of raw[id]) {
      const fl = floors[id];
      // Lower-is-better numbers: ratio to the best contender per component, then the mean of the components.
      const score = fl ? mean(r.values.map((v, i) => ratioScore(v, Math.min(...[...raw[id].values()].map((x) => x.values[i])), fl[i]))) : r.values[0];
      perMesh[mesh] = { score, raw: r.raw };
    }
    const note = scored ? '' : missing[id].length ? `not scored: no data for ${missing[id].join(', ')}` : 'not scored';
    if (!scored && contenders.length) notes.push(`${C[id].label} ${note}; its weight is shared among the other criteria.`);
    return { id, label: C[id].label, weight: scored ? C[id].weight / weightSum : 0, scored, note, perMesh };
  });

  const totals = (weights: Record<CriterionId, number>) => contenders.map((mesh) => ({
    mesh, total: criteria.reduce((a, c) => a + (c.scored ? weights[c.id] * c.perMesh[mesh].score : 0), 0),
  }));
  const baseWeights = Object.fromEntries(criteria.map((c) => [c.id, c.weight])) as Record<CriterionId, number>;
  const ranking = rank(totals(baseWeights)).map((r) => ({ ...r, platforms: platformsOf(r.mesh) }));
  const sc: Scorecard = { criteria, ranking, notMeasured, baseline, levels, recommendation: '', sensitivity: '', notes };
  sc.recommendation = recommend(sc);
  Object.assign(sc, sensitivity(sc, baseWeights, (w) => rank(totals(w))));
  return sc;
}

function rank(rows: { mesh: string; total: number }[]): { mesh: string; total: number; rank: number }[] {
  return [...rows].sort((a, b) => b.total - a.total || a.mesh.localeCompare(b.mesh)).map((r, i) => ({ ...r, rank: i + 1 }));
}

function recommend(sc: Scorecard): string {
  const [first, second] = sc.ranking;
  if (!first) return 'No recommendation: no mesh other than the baseline has measured results in this run.';
  const scored = sc.criteria.filter((c) => c.scored);
  if (!second) {
    return `Recommended: ${first.mesh}, the only mesh measured in this run, so nothing was compared: ` +
      `${scored.map((c) => `${c.label}: ${c.perMesh[first.mesh].raw}`).join('; ')}.`;
  }
  const edge = scored.map((c) => ({ c, d: c.weight * (c.perMesh[first.mesh].score - c.perMesh[second.mesh].score) }));
  const ahead = edge.filter((e) => e.d > 0.001).sort((a, b) => b.d - a.d);
  const behind = edge.filter((e) => e.d < -0.001).sort((a, b) => a.d - b.d);
  const vs = (e: { c: CriterionResult }, a: string, b: string) => `${e.c.label} (${e.c.perMesh[a].raw} vs ${e.c.perMesh[b].raw})`;
  let text = `Recommended: ${first.mesh}, because it scores ${first.total.toFixed(2)} against ${second.total.toFixed(2)} for ${second.mesh}, the next best`;
  text += ahead.length ? `, leading on ${ahead.slice(0, 3).map((e) => vs(e, first.mesh, second.mesh)).join('; ')}.` : '.';
  if (behind.length) text += ` ${second.mesh} is better on ${behind.map((e) => vs(e, second.mesh, first.mesh)).join('; ')}.`;
  if (first.total - second.total < 0.02) text += ` The margin is under 0.02: treat the two as tied and decide on the criteria that matter most to you.`;
  return text;
}

/** The smallest change of one criterion's weight (others fixed) that changes which mesh ranks first. */
function sensitivity(sc: Scorecard, weights: Record<CriterionId, number>, rerank: (w: Record<CriterionId, number>) => { mesh: string }[]): Pick<Scorecard, 'sensitivity' | 'flip'> {
  const [first] = sc.ranking;
  if (!first || sc.ranking.length < 2) return { sensitivity: 'No ranking to flip: fewer than two meshes were scored.' };
  let best: { c: CriterionResult; to: number; winner: string; delta: number } | undefined;
  for (const c of sc.criteria.filter((x) => x.scored)) {
    for (const other of sc.ranking.slice(1)) {
      // total_m is linear in w_c: first − other = N + δ·d, so the pair swaps at δ = −N / d (with w_c + δ ≥ 0).
      const n = first.total - other.total;
      const d = c.perMesh[first.mesh].score - c.perMesh[other.mesh].score;
      if (Math.abs(d) < 1e-9) continue;
      const delta = -n / d;
      if (weights[c.id] + delta < 0) continue;
      const to = weights[c.id] + delta * 1.0001 + Math.sign(delta) * 1e-6;
      const winner = rerank({ ...weights, [c.id]: to })[0].mesh;
      if (winner === first.mesh) continue;
      if (!best || Math.abs(delta) < Math.abs(best.delta)) best = { c, to, winner, delta };
    }
  }
  if (!best) return { sensitivity: `No change of a single weight makes another mesh rank above ${first.mesh}.` };
  const others = 1 - weights[best.c.id];
  // Report the new weight as a share of the total, the way the weights are shown.
  const share = best.to / (best.to + others);
  return {
    flip: { criterion: best.c.id, from: weights[best.c.id], to: best.to, winner: best.winner },
    sensitivity: `${best.winner} would rank first if the weight of ${best.c.label} ${best.delta > 0 ? 'rose' : 'fell'} from ${weights[best.c.id].toFixed(2)} to ${best.to.toFixed(2)} ` +
      `(${(share * 100).toFixed(0)} % of the total once re-normalised), the other weights unchanged.`,
  };
}

export function loadScorecard(file = DEFAULT_SCORECARD): ScorecardConfig {
  return validateConfig(loadYaml(file, ScorecardConfig));
}

export function loadFacts(file = DEFAULT_FACTS): DocumentedFacts {
  return loadYaml(file, DocumentedFacts);
}

export type { Cell, Overhead };
