// Hostile input against a proxy's inbound side while legitimate meshed traffic keeps flowing through it: malformed
// HTTP/2 frames, CONTINUATION and header floods, slowloris, TLS garbage, and 5,000 idle connections. The proxy must
// keep serving, cut what it should, and keep its memory bounded (printed).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { meshedStack, type MeshedStack } from './test/fixture.ts';
import { podGet } from './local.ts';

const ATTACKER = join(dirname(fileURLToPath(import.meta.url)), 'test', 'attacker.mjs');
const RSS_LIMIT_MB = 300;

describe('proxy under adversarial input', { timeout: 240_000 }, () => {
  let m: MeshedStack;
  let webIp: string;
  const rssMb = () => {
    const pid = m.mesh.local.proxyOf(m.stack, 'web').pid;
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  };
  const attack = async (args: string[], timeoutMs = 90_000) => {
    const r = await m.stack.exec('attacker', process.execPath, [ATTACKER, ...args], { timeoutMs });
    if (r.exitCode !== 0) throw new Error(`attacker ${args[0]} failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  };
  /** Runs an attack while checkout keeps calling web (HTTP) and payment (gRPC); all legitimate calls must succeed. */
  const underAttack = async (name: string, args: string[], seconds: number) => {
    const [result, http, grpc] = await Promise.all([
      attack(args),
      m.run('checkout', ['client', 'http', 'http://web:8080/ok', `${seconds}s`, 'legit']),
      m.run('checkout', ['client', 'grpc', 'payment:50051', `${seconds}s`]),
    ]);
    assert.equal(http.errors, 0, `${name}: legit HTTP errors ${JSON.stringify(http)}`);
    assert.deepEqual(Object.keys(http.statuses), ['200'], `${name}: ${JSON.stringify(http)}`);
    assert.deepEqual(Object.keys(grpc.codes), ['0'], `${name}: ${JSON.stringify(grpc)}`);
    const rss = rssMb();
    console.log(`# ${name}: ${JSON.stringify(result)}; legit ok: ${http.statuses['200']} HTTP + ${grpc.codes['0']} gRPC; web proxy RSS ${rss.toFixed(1)} MB`);
    assert.ok(rss < RSS_LIMIT_MB, `${name}: RSS ${rss.toFixed(1)} MB over ${RSS_LIMIT_MB} MB`);
    assert.equal(m.mesh.local.proxyOf(m.stack, 'web').child.exitCode, null, 'proxy still running');
    return result;
  };

  before(async () => {
    m = await meshedStack(
      [
        { name: 'web', kind: 'http', port: 8080 },
        { name: 'payment', kind: 'grpc', port: 50051 },
        { name: 'checkout', kind: 'client' },
        { name: 'attacker', kind: 'client' },
      ],
      { unmeshed: ['attacker'] },
    );
    webIp = m.stack.pod('web').ip;
    console.log(`# web proxy RSS at start ${rssMb().toFixed(1)} MB`);
  });
  after(async () => m?.close());

  it('survives malformed HTTP/2 frames (each offending connection is closed)', async () => {
    const r = await underAttack('h2 garbage', ['h2garbage', webIp, '8080'], 8);
    for (const [c, v] of Object.entries(r as Record<string, { closedByServer: boolean; goaway: boolean }>)) {
      assert.ok(v.closedByServer, `${c}: connection not closed within 8 s`);
    }
    assert.ok(Object.values(r as Record<string, { goaway: boolean }>).filter((v) => v.goaway).length >= 3, 'protocol errors answered with GOAWAY');
  });

  it('survives a CONTINUATION flood and HTTP/1 header floods (431 / closed)', async () => {
    const cont = await underAttack('continuation flood', ['continuation', webIp, '8080'], 4);
    assert.ok(cont.closedByServer, 'CONTINUATION flood connection closed');
    const flood = await underAttack('header flood', ['headerflood', webIp, '8080'], 3);
    assert.match(flood.manyHeaders.first + flood.hugeHeader.first, /431|400/);
  });

  it('cuts slowloris connections at the header timeout', async () => {
    const r = await underAttack('slowloris', ['slowloris', webIp, '8080', '300', '18'], 18);
    assert.equal(r.cutByServer, 300, JSON.stringify(r));
  });

  it('drops TLS garbage and noise', async () => {
    const r = await underAttack('tls garbage', ['tlsgarbage', webIp, '8080', '200'], 4);
    assert.equal(r.tlsClosed, 200);
    const metrics = (await podGet(m.stack, 'web', 'http://127.0.0.1:4191/metrics')).body;
    assert.match(metrics, /tls_handshake_errors_total [1-9]\d*/);
  });

  it('holds 5,000 idle connections with bounded memory and keeps serving', async () => {
    const r = await underAttack('5000 idle connections', ['idle', webIp, '8080', '5000', '8'], 8);
    assert.equal(r.failed, 0, JSON.stringify(r));
    // Once they go away, the proxy gives the sockets back.
    for (let i = 0; i < 50; i++) {
      const open = /open_connections (\d+)/.exec((await podGet(m.stack, 'web', 'http://127.0.0.1:4191/metrics')).body)?.[1];
      if (Number(open) < 50) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    const open = Number(/open_connections (\d+)/.exec((await podGet(m.stack, 'web', 'http://127.0.0.1:4191/metrics')).body)?.[1]);
    console.log(`# after the idle attack: ${open} open connections, RSS ${rssMb().toFixed(1)} MB`);
    assert.ok(open < 50, `connections released: ${open}`);
  });
});
