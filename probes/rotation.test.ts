// cert-rotation (long profile): with short-lived certificates the probe must see a renewal before expiry with no
// failed request, and must FAIL when certificates are never renewed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { probeFixture } from './testing/with-fixture.ts';

describe('cert-rotation', { timeout: 120_000 }, () => {
  it('passes when certificates are renewed well before expiry and no request fails', async () => {
    const r = (await probeFixture({ sidecars: true, certLifetimeS: 20, declaredLifetimeS: 20, rotateEveryS: 4 }, ['cert-rotation'])).get('cert-rotation/strict')!;
    assert.equal(r.outcome, 'pass', r.summary);
    assert.notEqual(r.evidence.newSerial, r.evidence.oldSerial);
    assert.equal(r.evidence.failedRequests, 0);
    assert.ok((r.evidence.requests as number) > 0);
    assert.ok((r.evidence.rotatedBeforeExpiryS as number) > 0);
  });

  it('fails when certificates are never renewed', async () => {
    const r = (await probeFixture({ sidecars: true, certLifetimeS: 6, declaredLifetimeS: 6 }, ['cert-rotation'])).get('cert-rotation/strict')!;
    assert.equal(r.outcome, 'fail', r.summary);
    assert.equal(r.evidence.newSerial, null);
    assert.match(r.summary, /was not rotated/);
  });

  it('fails when requests fail during the change (renewed certificates no peer trusts)', async () => {
    const r = (await probeFixture({ sidecars: true, certLifetimeS: 20, declaredLifetimeS: 20, rotateEveryS: 4, rotateFromUntrustedCa: true }, ['cert-rotation'])).get('cert-rotation/strict')!;
    assert.equal(r.outcome, 'fail', r.summary);
    assert.notEqual(r.evidence.newSerial, null);
    assert.ok((r.evidence.failedRequests as number) > 0, JSON.stringify(r.evidence));
    assert.match(r.summary, /requests .* failed meanwhile/);
  });
});
