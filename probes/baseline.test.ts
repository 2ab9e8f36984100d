// Sensitivity against the baseline: with the registry's `none` mesh over real pods (plaintext apps, no proxy), every
// probe whose property is absent must FAIL — a probe that passes here cannot tell a mesh from no mesh.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadMesh } from '../mesh-impls/index.ts';
import { startFixture, type Fixture } from './testing/fixture.ts';
import { runProbes } from './index.ts';
import type { ProbeRecord } from '../reports/schema.ts';

describe('probes against the none mesh', { timeout: 120_000 }, () => {
  let fixture: Fixture;
  let records: ProbeRecord[];
  const outcome = (probe: string, policy = 'default') => records.find((r) => r.probe === probe && r.policy === policy);

  before(async () => {
    fixture = await startFixture({ sidecars: false }, await loadMesh('none'));
    records = await runProbes(fixture.ctx, { long: true });
  });
  after(() => fixture?.teardown());

  it('records one validated record per probe and profile, each with evidence', () => {
    assert.deepEqual(
      records.map((r) => `${r.probe}/${r.policy}`).sort(),
      [
        'admin-exposure/default',
        'authz-least-privilege/least-privilege',
        'cert-rotation/default',
        'foreign-ca-rejected/default',
        'mtls-on-the-wire/default',
        'plaintext-rejected/default',
        'plaintext-rejected/strict',
        'tls-strength/default',
        'workload-identity/default',
      ],
    );
    for (const r of records) {
      assert.equal(r.mesh, 'none');
      assert.ok(r.durationMs < 60_000, `${r.probe} took ${r.durationMs} ms`);
    }
  });

  it('mtls-on-the-wire fails: the marker is on the wire in clear text', () => {
    const r = outcome('mtls-on-the-wire')!;
    assert.equal(r.outcome, 'fail', r.summary);
    assert.equal(r.evidence.markerInClear, true);
    assert.equal(r.evidence.tlsServerHellos, 0);
    assert.ok((r.evidence.packets as number) > 0);
  });

  it('plaintext-rejected fails under both the default and the strict policy (none enforces nothing)', () => {
    assert.equal(outcome('plaintext-rejected', 'default')!.outcome, 'fail');
    assert.equal(outcome('plaintext-rejected', 'strict')!.outcome, 'fail');
  });

  it('authz-least-privilege fails: an identity outside the call graph reaches PaymentService/Charge', () => {
    const r = outcome('authz-least-privilege', 'least-privilege')!;
    assert.equal(r.outcome, 'fail', r.summary);
    assert.equal((r.evidence.outsiderResult as { verdict: string }).verdict, 'accepted');
    assert.match(r.summary, /Charge/);
  });

  it('workload-identity, tls-strength, foreign-ca-rejected and cert-rotation fail: there is no TLS at all', () => {
    for (const id of ['workload-identity', 'tls-strength', 'foreign-ca-rejected', 'cert-rotation']) {
      assert.equal(outcome(id)!.outcome, 'fail', `${id}: ${outcome(id)!.summary}`);
    }
  });

  it('admin-exposure is not applicable: no proxy, and no admin port answers', () => {
    const r = outcome('admin-exposure')!;
    assert.equal(r.outcome, 'not-applicable', r.summary);
    assert.deepEqual(r.evidence.reachable, []);
  });
});
