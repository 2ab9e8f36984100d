// The probes' judging parts on their own: verdicts, ServerHello parsing against a real OpenSSL, certificate chains,
// admin page contents, the runner's error handling and policy restore. No namespaces needed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { $ } from 'zx';
import { judge } from './local/targets.ts';
import { parseServerHello } from './tls-strength.ts';
import { whatItReveals } from './admin-exposure.ts';
import { createCa, describeCert, issueCert, verifyChain } from './certs.ts';
import { formatMatrix, runProbes, policyFor, strictPolicyOf } from './index.ts';
import { kubeVerdict, resultLines } from './k8s.ts';
import { FIXTURE_WORKLOAD } from './testing/fixture.ts';
import type { LocalProbeContext } from './types.ts';
import type { MeshPolicy } from '../mesh-impls/types.ts';
import type { LocalStack } from '../clusters/local/stack.ts';

describe('judge', () => {
  it('tells an application answer from a policy denial and from no answer', () => {
    assert.equal(judge({ answered: true, grpcCode: 0 }), 'accepted');
    assert.equal(judge({ answered: true, grpcCode: 3, grpcMessage: 'credit_card is required' }), 'accepted');
    assert.equal(judge({ answered: true, httpStatus: 500 }), 'accepted');
    assert.equal(judge({ answered: true, grpcCode: 7 }), 'denied');
    assert.equal(judge({ answered: true, grpcCode: 16 }), 'denied');
    assert.equal(judge({ answered: true, httpStatus: 403 }), 'denied');
    assert.equal(judge({ answered: true, grpcCode: 14 }), 'refused');
    assert.equal(judge({ answered: false, error: 'ECONNRESET' }), 'refused');
  });

  it('reads the same verdicts from Kubernetes probe logs', () => {
    const r = resultLines('noise\nRESULT a http=200 grpc=0 exit=0\nRESULT b http=200 grpc=7 exit=0\nRESULT c http= grpc= exit=56\nRESULT d tcp=+PONG exit=0\n');
    assert.deepEqual([...r.keys()], ['a', 'b', 'c', 'd']);
    assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => kubeVerdict(r.get(k))), ['accepted', 'denied', 'refused', 'accepted']);
    assert.equal(kubeVerdict(undefined), 'refused');
  });
});

describe('ServerHello parsing against a real OpenSSL', { timeout: 30_000 }, () => {
  async function handshake(serverArgs: string[], clientArgs: string[]): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'mb-sh-'));
    const ca = await createCa('t');
    const leaf = await issueCert(ca, { dns: ['localhost'], lifetimeS: 600 });
    writeFileSync(join(dir, 'c.pem'), leaf.certPem);
    writeFileSync(join(dir, 'k.pem'), leaf.keyPem);
    const port = 20000 + Math.floor(Math.random() * 20000);
    const server = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', join(dir, 'c.pem'), '-key', join(dir, 'k.pem'), '-naccept', '1', ...serverArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
    let said = '';
    server.stdout.on('data', (d) => (said += d));
    server.stderr.on('data', (d) => (said += d));
    try {
      // s_server prints ACCEPT once it listens.
      for (let i = 0; i < 100 && !said.includes('ACCEPT'); i++) await sleep(50);
      if (!said.includes('ACCEPT')) throw new Error(`openssl s_server did not start: ${said}`);
      const r = await $({ quiet: true, nothrow: true, input: '' })`timeout 5 openssl s_client -connect 127.0.0.1:${port} -msg ${clientArgs}`;
      return `${r.stdout}\n${r.stderr}`;
    } finally {
      server.kill();
    }
  }

  it('finds TLS 1.0 and its cipher when the server allows it (OpenSSL 3 needs @SECLEVEL=0 on both sides)', async () => {
    const out = await handshake(['-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0'], ['-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0']);
    const hello = await parseServerHello(out);
    assert.equal(hello?.version, 'TLSv1');
    assert.match(hello!.cipher, /^ECDHE-ECDSA-AES(128|256)-SHA$/);
  });

  it('finds no ServerHello when the server refuses the version', async () => {
    const out = await handshake(['-tls1_3'], ['-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0']);
    assert.equal(await parseServerHello(out), undefined);
    assert.match(out, /alert|no protocols/i);
  });

  it('reads a TLS 1.3 ServerHello with its suite', async () => {
    const hello = await parseServerHello(await handshake(['-tls1_3'], []));
    assert.equal(hello?.version, 'TLSv1.3');
    assert.match(hello!.cipher, /^TLS_(AES_256_GCM_SHA384|AES_128_GCM_SHA256|CHACHA20_POLY1305_SHA256)$/);
  });
});

describe('certificates', () => {
  it('describes identity, key type and lifetime', async () => {
    const ca = await createCa('root');
    const leaf = describeCert((await issueCert(ca, { uri: 'spiffe://td/ns/default/sa/pay', lifetimeS: 900 })).certPem);
    assert.deepEqual(leaf.uris, ['spiffe://td/ns/default/sa/pay']);
    assert.equal(leaf.keyType, 'ec P-256');
    assert.equal(leaf.lifetimeS, 900);
    const rsa = await $({ quiet: true })`openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null -subj /CN=r -days 1`;
    assert.equal(describeCert(rsa.stdout).keyType, 'rsa 2048');
  });

  it('accepts a chain to the mesh root and rejects one to another root or an expired leaf', async () => {
    const ca = await createCa('root');
    const other = await createCa('other');
    const leaf = await issueCert(ca, { uri: 'spiffe://td/x', lifetimeS: 60 });
    assert.deepEqual(verifyChain([leaf.certPem], [ca.certPem]), { ok: true, path: ['CN=workload', 'CN=root'] });
    assert.equal(verifyChain([leaf.certPem], [other.certPem]).ok, false);
    assert.equal(verifyChain([leaf.certPem], []).reason, 'the mesh declares no trust anchor');
    assert.match(verifyChain([leaf.certPem], [ca.certPem], new Date(Date.now() + 3600_000)).reason!, /validity/);
  });
});

describe('admin page contents', () => {
  it('counts series and finds identities, addresses and key material', () => {
    const r = whatItReveals(
      '# TYPE x counter\nrequest_total{peer="spiffe://td/ns/default/sa/checkout",addr="198.18.0.3"} 5\n' +
        'tcp_open{id="web.default.serviceaccount.identity.linkerd.cluster.local"} 1\nup 1\n-----BEGIN PRIVATE KEY-----\n',
    );
    assert.equal(r.metricSeries, 3);
    assert.deepEqual(r.identities, ['spiffe://td/ns/default/sa/checkout', 'web.default.serviceaccount.identity.linkerd.cluster.local']);
    assert.equal(r.addresses, 1);
    assert.equal(r.privateKeys, true);
    assert.equal(r.certificates, false);
  });
});

describe('runner', () => {
  function brokenContext(applied: MeshPolicy[]): LocalProbeContext {
    // A stack whose every exec fails: each probe must come back as an `error` record, never as a throw.
    const stack = {
      pods: new Map([['probe-client', {}]]),
      pod: () => {
        throw new Error('no such pod');
      },
      exec: async () => ({ stdout: '', stderr: 'boom', exitCode: 1 }),
    } as unknown as LocalStack;
    return { platform: 'local', mesh: 'broken', meshesPods: true, workload: FIXTURE_WORKLOAD, stack, entryUrl: 'http://127.0.0.1:1', facts: {}, applyPolicy: async (p) => void applied.push(p) };
  }

  it('rejects unknown probe ids, naming the accepted ones', async () => {
    await assert.rejects(runProbes(brokenContext([]), { only: ['nope'] }), /Unknown probe id\(s\): nope\. Accepted: mtls-on-the-wire/);
  });

  it('records errors instead of throwing, and restores the default policy after switching', async () => {
    const applied: MeshPolicy[] = [];
    const records = await runProbes(brokenContext(applied), { only: ['plaintext-rejected', 'authz-least-privilege', 'tls-strength'] });
    assert.deepEqual(records.map((r) => `${r.probe}/${r.policy}/${r.outcome}`), [
      'plaintext-rejected/default/error',
      'tls-strength/default/error',
      'plaintext-rejected/strict/error',
      'authz-least-privilege/least-privilege/error',
    ]);
    assert.deepEqual(applied.map((p) => p.default), ['all-authenticated', 'deny', 'all-unauthenticated']);
    assert.match(formatMatrix(records), /plaintext-rejected\s+error\s+error/);
  });

  it('uses the mesh-declared profiles, else strict = all-authenticated with plaintext only at the entry', () => {
    const ctx = brokenContext([]);
    assert.deepEqual(policyFor(ctx, 'strict'), strictPolicyOf(FIXTURE_WORKLOAD));
    assert.deepEqual(strictPolicyOf(FIXTURE_WORKLOAD).allow, [{ to: 'web', port: 8080, from: ['*unauthenticated*'] }]);
    assert.equal(policyFor({ ...ctx, facts: { strictPolicy: { default: 'deny', allow: [] } } }, 'strict').default, 'deny');
    assert.equal(policyFor(ctx, 'least-privilege').allow.length, 3);
  });
});
