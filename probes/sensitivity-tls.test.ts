// Sensitivity of the TLS probes: a mesh port that still allows TLS 1.0, one that allows a weak TLS 1.2 suite, and
// workload certificates that outlive the declared lifetime or chain to another root must each make a probe FAIL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { probeFixture } from './testing/with-fixture.ts';
import { createCa } from './certs.ts';

describe('TLS probe sensitivity', { timeout: 120_000 }, () => {
  it('tls-strength fails when the mesh port allows TLS 1.0 (OpenSSL 3 needs @SECLEVEL=0 for it)', async () => {
    const r = (await probeFixture({ sidecars: true, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' }, ['tls-strength'])).get('tls-strength/strict')!;
    assert.equal(r.outcome, 'fail', r.summary);
    const attempts = r.evidence.attempts as { offered: string; accepted: boolean; version?: string }[];
    assert.deepEqual(attempts.find((a) => a.offered === 'TLSv1'), { ...attempts.find((a) => a.offered === 'TLSv1'), accepted: true, version: 'TLSv1' });
    assert.match(r.summary, /TLSv1 \(TLSv1 /);
  });

  it('tls-strength fails when the mesh port accepts a weak TLS 1.2 suite (CBC with SHA-1)', async () => {
    const r = (await probeFixture({ sidecars: true, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA' }, ['tls-strength'])).get('tls-strength/strict')!;
    assert.equal(r.outcome, 'fail', r.summary);
    const weak = (r.evidence.attempts as { offered: string; accepted: boolean; cipher?: string }[]).find((a) => a.offered === 'TLSv1.2 weak ciphers')!;
    assert.equal(weak.accepted, true);
    assert.equal(weak.cipher, 'ECDHE-ECDSA-AES128-SHA');
  });

  it('workload-identity fails when the certificate outlives the declared lifetime', async () => {
    const r = (await probeFixture({ sidecars: true, certLifetimeS: 7200, declaredLifetimeS: 3600 }, ['workload-identity'])).get('workload-identity/strict')!;
    assert.equal(r.outcome, 'fail', r.summary);
    assert.match(r.summary, /7200 s > declared 3600 s/);
  });

  it('workload-identity fails when the certificate does not chain to the mesh root', async () => {
    const other = await createCa('some other root');
    const r = (
      await probeFixture({ sidecars: true }, ['workload-identity'], {
        adjust: (ctx) => ({ ...ctx, facts: { ...ctx.facts, trustAnchorsPem: async () => other.certPem } }),
      })
    ).get('workload-identity/strict')!;
    assert.equal(r.outcome, 'fail', r.summary);
    assert.match(r.summary, /chain does not hold/);
  });
});
