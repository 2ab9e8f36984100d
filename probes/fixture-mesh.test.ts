// The same probes against a miniature mesh that has every property (mTLS 1.3, certificates checked against the
// mesh root, deny by default under least privilege, admin on loopback): probes 1–7 pass, so they are not merely
// pessimistic. Its default policy admits plaintext like Linkerd's: plaintext-rejected records that as a fail.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, type Fixture } from './testing/fixture.ts';
import { runProbes } from './index.ts';
import type { ProbeRecord } from '../reports/schema.ts';

describe('probes against a mesh that has every property', { timeout: 150_000 }, () => {
  let fixture: Fixture;
  let records: ProbeRecord[];
  const find = (probe: string, policy: string) => records.find((r) => r.probe === probe && r.policy === policy)!;

  before(async () => {
    fixture = await startFixture({ sidecars: true, minVersion: 'TLSv1.3' });
    records = await runProbes(fixture.ctx, { profile: 'strict' });
  });
  after(() => fixture?.teardown());

  it('passes probes 1–7 under the strict profile', () => {
    for (const id of ['mtls-on-the-wire', 'plaintext-rejected', 'workload-identity', 'tls-strength', 'foreign-ca-rejected', 'admin-exposure']) {
      const r = find(id, 'strict');
      assert.equal(r.outcome, 'pass', `${id}: ${r.summary}`);
    }
    const authz = find('authz-least-privilege', 'least-privilege');
    assert.equal(authz.outcome, 'pass', authz.summary);
  });

  it('records the TLS version and cipher seen on the wire and negotiated on the mesh port', () => {
    const wire = find('mtls-on-the-wire', 'strict').evidence;
    assert.deepEqual(wire.tlsVersions, ['TLSv1.3']);
    assert.equal(wire.markerInClear, false);
    assert.ok((wire.tlsServerHellos as number) >= 1);
    const strength = find('tls-strength', 'strict').evidence as { negotiated: { openssl: { version: string; cipher: string } } };
    assert.equal(strength.negotiated.openssl.version, 'TLSv1.3');
    assert.match(strength.negotiated.openssl.cipher, /^TLS_(AES|CHACHA20)/);
  });

  it('records key type and lifetime of the workload certificate', () => {
    const certs = find('workload-identity', 'strict').evidence.certificates as { keyType: string; lifetimeS: number; names: string[] }[];
    assert.equal(certs[0].keyType, 'ec P-256');
    assert.equal(certs[0].lifetimeS, 3600);
    assert.deepEqual(certs[0].names, ['spiffe://fixture.test/ns/default/sa/payment']);
  });

  it('under least privilege denies the outsider and keeps every legitimate edge', () => {
    const e = find('authz-least-privilege', 'least-privilege').evidence as { outsider: string; outsiderResult: { verdict: string }; legitimateEdges: { verdict: string }[] };
    assert.equal(e.outsider, 'web');
    assert.notEqual(e.outsiderResult.verdict, 'accepted');
    assert.ok(e.legitimateEdges.length === 2 && e.legitimateEdges.every((l) => l.verdict === 'accepted'));
  });

  it('records plaintext accepted under the default policy as a finding (fail), refused under strict', () => {
    assert.equal(find('plaintext-rejected', 'default').outcome, 'fail');
    assert.equal(find('plaintext-rejected', 'strict').outcome, 'pass');
  });
});
