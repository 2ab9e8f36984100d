// Sensitivity of the access probes: a mesh port that takes any client certificate, a proxy admin page bound to every
// address, and a proxy that ignores its allow list must each make a probe FAIL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { probeFixture } from './testing/with-fixture.ts';

describe('access probe sensitivity', { timeout: 120_000 }, () => {
  it('foreign-ca-rejected fails when the mesh accepts a client certificate from a foreign CA', async () => {
    const r = (await probeFixture({ sidecars: true, verifyClients: false }, ['foreign-ca-rejected'])).get('foreign-ca-rejected/strict')!;
    assert.equal(r.outcome, 'fail', r.summary);
    assert.equal(r.evidence.handshake, true);
    assert.equal((r.evidence.application as { verdict: string }).verdict, 'accepted');
    assert.equal(r.evidence.claimedIdentity, 'spiffe://fixture.test/ns/default/sa/checkout');
  });

  it('admin-exposure fails when a proxy admin page answers other pods, and records what it reveals', async () => {
    const records = await probeFixture({ sidecars: true, adminHost: '0.0.0.0' }, ['mtls-on-the-wire', 'admin-exposure']);
    const r = records.get('admin-exposure/strict')!;
    assert.equal(r.outcome, 'fail', r.summary);
    const reachable = r.evidence.reachable as { endpoint: string; declared: boolean; reveals: { identities: string[]; metricSeries: number } }[];
    const payment = reachable.find((x) => x.declared && x.endpoint.endsWith(':4191/metrics'))!;
    // mtls-on-the-wire ran first: the payment proxy's metrics now name its caller's identity.
    assert.ok(reachable.length >= 1 && payment, JSON.stringify(reachable));
    assert.ok(reachable.some((x) => x.reveals.identities.includes('spiffe://fixture.test/ns/default/sa/checkout')), JSON.stringify(reachable));
  });

  it('authz-least-privilege fails when the proxy does not enforce its allow list', async () => {
    const r = (await probeFixture({ sidecars: true, enforcePolicy: false }, ['authz-least-privilege'])).get('authz-least-privilege/least-privilege')!;
    assert.equal(r.outcome, 'fail', r.summary);
    assert.equal((r.evidence.outsiderResult as { verdict: string }).verdict, 'accepted');
  });
});
