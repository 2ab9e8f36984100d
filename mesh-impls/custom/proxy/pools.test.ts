import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCa, signCsr, makeKeyAndCsr, spiffeId } from '../shared/pki.ts';
import { peerTlsOptions } from './pools.ts';

test('a peer must present exactly the identity discovery names for it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-pools-'));
  const ca = await ensureCa(join(dir, 'ca'), 'td');
  const issue = async (sa: string) => {
    const { keyPem, csrPem } = makeKeyAndCsr();
    return { key: keyPem, cert: (await signCsr(ca, csrPem, spiffeId('td', 'default', sa), 60_000)).chainPem, ca: ca.rootPem };
  };
  const server = tls.createServer({ ...(await issue('payment')), requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'], minVersion: 'TLSv1.3' }, (s) => s.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const ctx = tls.createSecureContext({ ...(await issue('checkout')), minVersion: 'TLSv1.3' });
  const dial = (expected: string) =>
    new Promise<string>((resolve) => {
      const s = tls.connect(peerTlsOptions('127.0.0.1', port, ctx, expected, 'h2'));
      s.on('secureConnect', () => {
        resolve('connected');
        s.destroy();
      });
      s.on('error', (e) => {
        resolve(e.message);
        s.destroy();
      });
    });
  try {
    assert.equal(await dial(spiffeId('td', 'default', 'payment')), 'connected');
    assert.match(await dial(spiffeId('td', 'default', 'web')), /presented identity spiffe:\/\/td\/ns\/default\/sa\/payment, discovery says spiffe:\/\/td\/ns\/default\/sa\/web/);
  } finally {
    server.close();
    server.unref();
    rmSync(dir, { recursive: true, force: true });
  }
});
