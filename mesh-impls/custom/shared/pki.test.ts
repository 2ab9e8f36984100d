import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { ensureCa, signCsr, makeKeyAndCsr, spiffeId, idFromSan, describeCert } from './pki.ts';

test('CA issues SPIFFE workload certs that complete a TLS 1.3 mutual handshake', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-pki-'));
  try {
    const ca = await ensureCa(join(dir, 'ca'), 'mesh.test');
    assert.equal(statSync(join(dir, 'ca', 'issuer.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'ca', 'root.key')).mode & 0o777, 0o600);
    const again = await ensureCa(join(dir, 'ca'), 'mesh.test');
    assert.equal(again.rootPem, ca.rootPem, 'a second install reuses the CA on disk');
    await assert.rejects(ensureCa(join(dir, 'ca'), 'other.test'), /trust domain/);

    const issue = async (sa: string) => {
      const { keyPem, csrPem } = await makeKeyAndCsr();
      const cert = await signCsr(ca, csrPem, spiffeId('mesh.test', 'default', sa), 3_600_000);
      return { key: keyPem, cert: cert.chainPem, ca: cert.rootPem, notAfter: cert.notAfter };
    };
    const server = await issue('payment');
    const client = await issue('checkout');
    assert.equal(describeCert(server.cert).id, 'spiffe://mesh.test/ns/default/sa/payment');
    assert.ok(Math.abs(describeCert(server.cert).notAfter - server.notAfter) < 2000);

    const srv = tls.createServer({ ...server, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' }, (s) => {
      s.end(idFromSan(s.getPeerCertificate().subjectaltname) ?? 'none');
    });
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = (srv.address() as { port: number }).port;
    const sock = tls.connect({ ...client, port, host: '127.0.0.1', servername: 'payment.default.id.mesh.test', checkServerIdentity: () => undefined });
    let got = '';
    sock.on('data', (d) => (got += d));
    await once(sock, 'end');
    assert.equal(sock.getProtocol(), 'TLSv1.3');
    assert.equal(idFromSan(sock.getPeerCertificate().subjectaltname), 'spiffe://mesh.test/ns/default/sa/payment');
    assert.equal(got, 'spiffe://mesh.test/ns/default/sa/checkout');
    srv.close();

    await assert.rejects(signCsr(ca, 'garbage', 'spiffe://x/ns/a/sa/b', 1000), /PKCS#10/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
