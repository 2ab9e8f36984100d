import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_PROFILES, PROBE_IDS, generateResults } from './fixtures.ts';
import { CRITERIA, DEFAULT_SCORECARD, computeScorecard, loadFacts, loadScorecard, type ScorecardConfig } from './scorecard.ts';

const facts = loadFacts();
const config = loadScorecard();
const withWeight = (c: ScorecardConfig, id: (typeof CRITERIA)[number], w: number): ScorecardConfig =>
  ({ ...c, criteria: { ...c.criteria, [id]: { ...c.criteria[id], weight: w } } });

describe('decision scorecard', () => {
  it('ranks by the numbers and explains the choice with them', () => {
    const sc = computeScorecard(generateResults({ seed: 5, reps: 3 }), config, facts);
    assert.deepEqual(sc.ranking.map((r) => r.mesh).sort(), ['consul', 'custom', 'linkerd']);
    assert.ok(!sc.ranking.some((r) => r.mesh === 'none'), 'the baseline is never a contender');
    const [first, second] = sc.ranking;
    assert.ok(first.total >= second.total);
    assert.match(sc.recommendation, new RegExp(`^Recommended: ${first.mesh}, because it scores ${first.total.toFixed(2)} against ${second.total.toFixed(2)} for ${second.mesh}`));
    // The numbers quoted in the sentence are the ones in the table.
    const latency = sc.criteria.find((c) => c.id === 'latency')!;
    assert.ok(sc.recommendation.includes(latency.perMesh[first.mesh].raw) || !sc.recommendation.includes('latency overhead ('));
    // Scores are normalised: the best contender on a lower-is-better criterion scores 1.
    assert.equal(Math.max(...Object.values(latency.perMesh).map((p) => p.score)), 1);
    assert.deepEqual(sc.levels, [100, 200, 400], 'only levels where nobody saturated count as overhead');
  });

  it('recommends another mesh when the evidence points the other way', () => {
    const better = {
      ...DEFAULT_PROFILES.consul, addedMs: 0.2, proxyCpuPer1kRps: 0.03, proxyRssMb: 8, capacityRps: 3000,
      controlPlane: [{ process: 'consul-server', cpuCores: 0.002, rssMb: 20 }],
      install: { timeToReadyMs: 5_000, steps: 1, objects: 20, crds: 0 },
      probes: Object.fromEntries(PROBE_IDS.map((p) => [p, { default: 'pass' as const, strict: 'pass' as const }])),
    };
    const sc = computeScorecard(generateResults({ seed: 5, reps: 3, profiles: { consul: better } }), config, facts);
    assert.equal(sc.ranking[0].mesh, 'consul');
    assert.match(sc.recommendation, /^Recommended: consul, because/);
  });

  it('names the smallest weight change that flips the ranking, and that change really flips it', () => {
    const results = generateResults({ seed: 5, reps: 3 });
    const sc = computeScorecard(results, config, facts);
    assert.ok(sc.flip, sc.sensitivity);
    const { criterion, from, to, winner } = sc.flip!;
    assert.match(sc.sensitivity, new RegExp(`^${winner} would rank first if the weight of ${config.criteria[criterion].label} (rose|fell) from ${from.toFixed(2)} to ${to.toFixed(2)}`));
    // Weights are shares of 1 here (the defaults sum to 1), so the shares can be written back as raw weights.
    const base = CRITERIA.reduce((c, id) => withWeight(c, id, sc.criteria.find((x) => x.id === id)!.weight), config);
    const short = computeScorecard(results, withWeight(base, criterion, from + (to - from) * 0.98), facts);
    const past = computeScorecard(results, withWeight(base, criterion, from + (to - from) * 1.02), facts);
    assert.equal(short.ranking[0].mesh, sc.ranking[0].mesh);
    assert.equal(past.ranking[0].mesh, winner);
  });

  it('shows a mesh without results as not measured, never scored', () => {
    const sc = computeScorecard(generateResults({ seed: 5, reps: 2, failedInstall: ['consul'] }), config, facts);
    assert.ok(!sc.ranking.some((r) => r.mesh === 'consul'));
    assert.deepEqual(sc.notMeasured, [{ mesh: 'consul', reason: 'install failed: consul control plane did not become ready within 300 s' }]);
    for (const c of sc.criteria) assert.ok(!('consul' in c.perMesh));
  });

  it('scores licence and release from documented facts, and leaves the criterion out when a mesh has none', () => {
    const sc = computeScorecard(generateResults({ seed: 5, reps: 2 }), config, facts);
    const licence = sc.criteria.find((c) => c.id === 'licence')!;
    assert.equal(licence.scored, true);
    assert.equal(licence.perMesh.linkerd.score, (config.criteria.licence.licenceScores.permissive + config.criteria.licence.releaseScores['edge-only']) / 2);
    assert.match(licence.perMesh.consul.raw, /BSL 1.1/);
    const unknown = computeScorecard(generateResults({ seed: 5, reps: 2, meshes: ['none', 'linkerd', 'kuma'] }), config, facts);
    const l2 = unknown.criteria.find((c) => c.id === 'licence')!;
    assert.equal(l2.scored, false);
    assert.equal(l2.weight, 0);
    assert.match(unknown.notes.join('\n'), /licence and release model not scored: no data for kuma/);
    assert.ok(Math.abs(unknown.criteria.reduce((a, c) => a + c.weight, 0) - 1) < 1e-9, 'remaining weights are re-normalised');
  });

  it('rejects a bad scorecard file naming the field and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshbench-scorecard-'));
    try {
      const file = join(dir, 'scorecard.yaml');
      writeFileSync(file, readFileSync(DEFAULT_SCORECARD, 'utf8').replace('weight: 0.30', 'weight: -1'));
      assert.throws(() => loadScorecard(file), (err: Error) => /criteria\.latency\.weight/.test(err.message) && err.message.includes(file) && /Fix:/.test(err.message));
      writeFileSync(file, readFileSync(DEFAULT_SCORECARD, 'utf8').replace(/weight: [0-9.]+/g, 'weight: 0'));
      assert.throws(() => loadScorecard(file), /all 0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
