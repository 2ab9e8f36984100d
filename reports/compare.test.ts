import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareResults, renderComparison } from './compare.ts';
import { generateResults } from './fixtures.ts';

const opts = { reps: 5, levels: [100, 400], meshes: ['none', 'linkerd', 'custom'] };

describe('compare', () => {
  it('reports nothing when two runs differ only by noise', () => {
    const a = generateResults({ ...opts, seed: 31 });
    const b = generateResults({ ...opts, seed: 32 });
    const c = compareResults(a, b);
    assert.equal(c.compared, 6);
    assert.deepEqual(c.changes, []);
    assert.match(renderComparison(c, a, b), /Nothing changed beyond the noise/);
  });

  it('reports a real latency regression on the mesh that regressed, and only there', () => {
    const a = generateResults({ ...opts, seed: 31 });
    const b = generateResults({ ...opts, seed: 32, profiles: { linkerd: { addedMs: 4 } } });
    const c = compareResults(a, b);
    const regressions = c.changes.filter((x) => x.kind === 'regression');
    assert.ok(regressions.length >= 2, JSON.stringify(c.changes, null, 1));
    assert.ok(regressions.every((x) => x.subject.startsWith('local/linkerd/')), JSON.stringify(regressions, null, 1));
    assert.ok(regressions.some((x) => x.metric === 'p50'));
    // The same change read backwards is an improvement.
    const back = compareResults(b, a);
    assert.equal(back.regressions, 0);
    assert.ok(back.improvements >= 2);
  });

  it('counts a probe that stopped passing, a new failure and a newly saturated level as regressions', () => {
    const a = generateResults({ ...opts, seed: 31 });
    const b = generateResults({ ...opts, seed: 31, profiles: { linkerd: { capacityRps: 300 } }, failedInstall: ['custom'] });
    b.probes = a.probes.filter((p) => p.mesh !== 'custom').map((p) => (p.mesh === 'linkerd' && p.probe === 'mtls-on-the-wire' && p.policy === 'default' ? { ...p, outcome: 'fail' as const } : p));
    const c = compareResults(a, b);
    const find = (metric: string, subject: RegExp) => c.changes.find((x) => x.metric === metric && subject.test(x.subject));
    assert.equal(find('probe outcome', /linkerd.*mtls-on-the-wire \(default\)/)?.kind, 'regression');
    assert.equal(find('failure', /custom.*install/)?.kind, 'regression');
    assert.equal(find('saturation', /linkerd\/online-boutique\/400/)?.kind, 'regression');
    assert.equal(find('scenario', /custom\/online-boutique\/100/)?.kind, 'missing');
  });
});
