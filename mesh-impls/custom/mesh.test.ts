// End to end on the local platform: real namespaces, iptables interception, control plane, proxies, TLS.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { $ } from 'zx';
import { meshedStack, type MeshedStack } from './test/fixture.ts';
import { startCapture } from '../../clusters/local/capture.ts';
import { UNAUTHENTICATED } from '../types.ts';
import { runCli } from './cli/cli.ts';
import { podGet } from './local.ts';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MARKER = 'MARKER-7f3e1c-do-not-leak';
const CHARGE = '/hipstershop.PaymentService/Charge';

describe('custom mesh on the local platform', { timeout: 180_000 }, () => {
  let m: MeshedStack;
  before(async () => {
    m = await meshedStack(
      [
        { name: 'web', kind: 'http', port: 8080 },
        { name: 'payment', kind: 'grpc', port: 50051 },
        { name: 'cache', kind: 'redis', port: 6379 },
        { name: 'checkout', kind: 'client' },
        { name: 'frontend', kind: 'client' },
        { name: 'outsider', kind: 'client' },
      ],
      { unmeshed: ['outsider'] },
    );
  });
  after(async () => {
    await m?.close();
  });

  it('verifies every injected pod: proxy up, identity issued, interception in place', async () => {
    const v = await m.mesh.local.verify(m.stack, m.workload);
    const byPod = Object.fromEntries(v.pods.map((p) => [p.pod, p]));
    for (const pod of ['web', 'payment', 'cache', 'checkout', 'frontend']) assert.ok(byPod[pod].meshed, `${pod}: ${byPod[pod].detail}`);
    assert.equal(byPod.outsider.meshed, false, 'the unmeshed pod is reported as such');
    assert.equal(v.ok, false, 'not ok while one workload pod has no proxy');
  });

  it('carries meshed HTTP and gRPC as TLS on the wire: handshakes seen, the body marker never', async () => {
    const cap = await startCapture(m.stack, 'web', { name: 'tls-web' });
    const capPay = await startCapture(m.stack, 'payment', { name: 'tls-pay' });
    const http = await m.run('checkout', ['client', 'http', 'http://web:8080/pay', '20', MARKER]);
    const grpc = await m.run('checkout', ['client', 'grpc', 'payment:50051', '20', MARKER]);
    const files = [await cap.stop(), await capPay.stop()];
    assert.deepEqual(http, { statuses: { 200: 20 }, errors: 0 });
    assert.deepEqual(grpc.codes, { 0: 20 });
    for (const [file, port] of [[files[0], 8080], [files[1], 50051]] as const) {
      const pcap = readFileSync(file);
      assert.ok(pcap.length > 1000, `capture ${file} has traffic`);
      assert.equal(pcap.includes(MARKER), false, `marker must not appear in ${file}`);
      const hellos = await $({ quiet: true })`tshark -r ${file} -d tcp.port==${port},tls -Y ${'tls.handshake.type == 1'} -T fields -e tls.handshake.extensions_server_name`;
      assert.match(hellos.stdout, /\.id\.meshbench\.local/, `TLS ClientHello with the peer identity in SNI on port ${port}`);
    }
    // Control: the same capture does see the marker when an unmeshed client sends it in plaintext.
    const plain = await startCapture(m.stack, 'web', { name: 'plain-web' });
    await m.run('outsider', ['client', 'http', 'http://web:8080/pay', '2', MARKER]);
    assert.ok(readFileSync(await plain.stop()).includes(MARKER), 'plaintext capture shows the marker');
  });

  it('denies an unauthorized identity with gRPC 7, admits the authorized one, counts the denial', async () => {
    const local = m.mesh.local;
    await local.applyPolicy(m.stack, {
      default: 'all-authenticated',
      allow: [
        { to: 'payment', port: 50051, from: ['checkout'], methods: [CHARGE] },
        { to: 'web', port: 8080, from: ['frontend', 'checkout'] },
      ],
    });
    assert.deepEqual((await m.run('checkout', ['client', 'grpc', 'payment:50051', '5'])).codes, { 0: 5 });
    assert.deepEqual((await m.run('frontend', ['client', 'grpc', 'payment:50051', '3'])).codes, { 7: 3 }, 'frontend may not Charge');
    assert.deepEqual((await m.run('outsider', ['client', 'grpc', 'payment:50051', '2'])).codes, { 7: 2 }, 'plaintext caller denied');
    // The node (kubelet-probe equivalent) may still health-check payment.
    const health = await $({ quiet: true, nothrow: true })`${process.execPath} ${m.workload.services[0].local({ addr: (x) => x, dataDir: '' }).args[0]} client health ${m.stack.pod('payment').ip}:50051`;
    assert.deepEqual(JSON.parse(health.stdout), { codes: { 0: 1 } }, `node health check: ${health.stderr}`);
    const metrics = (await podGet(m.stack, 'payment', 'http://127.0.0.1:4191/metrics')).body;
    const denied = metrics.split('\n').filter((l) => l.startsWith('denied_total') && l.includes('sa/frontend'));
    assert.match(denied.join('\n'), / 3$/, `denials of frontend counted:\n${denied.join('\n')}`);
    assert.match(metrics, /request_total\{direction="inbound",client_id="spiffe:\/\/meshbench\.local\/ns\/default\/sa\/checkout",port="50051",tls="true"\} \d+/);
  });

  it('under all-authenticated refuses a plaintext client from an unmeshed pod (HTTP 403) but serves meshed callers', async () => {
    await m.mesh.local.applyPolicy(m.stack, { default: 'all-authenticated', allow: [] });
    assert.deepEqual((await m.run('outsider', ['client', 'http', 'http://web:8080/', '3'])).statuses, { 403: 3 });
    assert.deepEqual((await m.run('frontend', ['client', 'http', 'http://web:8080/', '3'])).statuses, { 200: 3 });
    // Opaque TCP (Redis, server port 6379): the denial is a closed connection; meshed callers get through over mTLS.
    assert.deepEqual(await m.run('outsider', ['client', 'tcp', 'cache:6379', '3']), { pong: 0, errors: 3 });
    assert.deepEqual(await m.run('checkout', ['client', 'tcp', 'cache:6379', '3']), { pong: 3, errors: 0 });
    const denied = (await podGet(m.stack, 'cache', 'http://127.0.0.1:4191/metrics')).body.split('\n').find((l) => l.startsWith('denied_total{direction="inbound",client_id="",port="6379"'));
    assert.match(denied ?? '', / 3$/, 'TCP denials counted');
    await m.mesh.local.applyPolicy(m.stack, { default: 'deny', allow: [{ to: 'web', port: 8080, from: [UNAUTHENTICATED], methods: ['/public'] }] });
    assert.deepEqual((await m.run('frontend', ['client', 'http', 'http://web:8080/private', '2'])).statuses, { 403: 2 });
    assert.deepEqual((await m.run('outsider', ['client', 'http', 'http://web:8080/public/x', '2'])).statuses, { 200: 2 });
    await m.mesh.local.applyPolicy(m.stack, { default: 'all-unauthenticated', allow: [] });
  });

  it('serves identity, stat and edges on the operator API', async () => {
    const api = m.mesh.local.api(m.stack);
    const id = await api.identity('payment');
    assert.equal(id.identity, 'spiffe://meshbench.local/ns/default/sa/payment');
    const leaf = new X509Certificate(id.chainPem!);
    assert.match(leaf.subjectAltName ?? '', /URI:spiffe:\/\/meshbench\.local\/ns\/default\/sa\/payment/);
    assert.ok(leaf.verify(new X509Certificate(id.chainPem!.slice(id.chainPem!.indexOf('-----END CERTIFICATE-----') + 26)).publicKey), 'leaf signed by the issuer');
    assert.ok(Math.abs(Date.parse(leaf.validTo) - Date.now() - 24 * 3600_000) < 120_000, 'default lifetime 24 h');
    await new Promise((r) => setTimeout(r, 2500)); // one report interval
    const edges = await api.edges();
    const e = edges.find((x) => x.from === 'checkout' && x.to === 'payment');
    assert.ok(e && e.tls && e.requests >= 25, `checkout→payment edge with mTLS: ${JSON.stringify(edges)}`);
    const stat = await api.stat(600_000);
    const pay = stat.find((s) => s.service === 'payment')!;
    assert.ok(pay.requests >= 25 && pay.p50Ms !== null && pay.denied >= 3, JSON.stringify(pay));
    const html = await (await fetch(api.baseUrl + '/')).text();
    assert.match(html, /<h2>Edges<\/h2>/);
    const check = await api.check();
    assert.ok(check.pods.every((p) => p.ok), JSON.stringify(check.pods.filter((p) => !p.ok)));
  });

  it('answers the operator CLI (check, identity, stat, edges, policy get/set)', async () => {
    const slot = ['--slot', String(m.stack.slot)];
    const cli = async (...args: string[]) => {
      const out: string[] = [];
      const rc = await runCli([...args, ...slot], (s) => out.push(s));
      return { rc, text: out.join('\n') };
    };
    const check = await cli('check');
    assert.equal(check.rc, 0, check.text);
    assert.match(check.text, /spiffe:\/\/meshbench\.local\/ns\/default\/sa\/payment/);
    const id = await cli('identity', 'payment');
    assert.match(id.text, /BEGIN CERTIFICATE[\s\S]*# trust root\n-----BEGIN CERTIFICATE/);
    assert.match((await cli('edges')).text, /checkout\s+payment\s+yes/);
    assert.match((await cli('stat')).text, /^service\s+pods\s+success/m);
    const file = join(mkdtempSync(join(tmpdir(), 'mb-policy-')), 'p.json');
    writeFileSync(file, JSON.stringify({ default: 'all-unauthenticated', allow: [{ to: 'payment', port: 50051, from: ['checkout'] }] }));
    assert.match((await cli('policy', 'set', file)).text, /policy applied/);
    assert.equal(JSON.parse((await cli('policy', 'get')).text).policy.allow[0].from[0], 'checkout');
    writeFileSync(file, JSON.stringify({ default: 'allow-all', allow: [] }));
    await assert.rejects(cli('policy', 'set', file), /policy.default must be one of all-unauthenticated, all-authenticated, deny/);
    await assert.rejects(cli('identity', 'nope'), /no pod "nope"/);
  });

  it('keeps the admin port private to the pod', async () => {
    const r = await podGet(m.stack, 'outsider', `http://${m.stack.pod('web').ip}:4191/metrics`);
    assert.equal(r.status, undefined, 'admin port not reachable from another pod');
    assert.equal(r.error, 'ECONNREFUSED');
    assert.equal((await podGet(m.stack, 'web', 'http://127.0.0.1:4191/ready')).status, 200, 'but reachable inside the pod');
  });

  it('leaves a port the pod does not serve looking closed (no proxy-made HTTP answer)', async () => {
    const r = await podGet(m.stack, 'outsider', `http://${m.stack.pod('web').ip}:15000/metrics`);
    assert.equal(r.status, undefined, `no HTTP answer from an unserved port: ${JSON.stringify(r)}`);
    assert.match(r.error ?? '', /ECONNRESET|UND_ERR_SOCKET|ECONNREFUSED/);
  });
});

