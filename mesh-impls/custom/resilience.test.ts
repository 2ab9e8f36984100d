// The data plane under control-plane events: certificates rotating every few seconds while requests flow, and the
// control plane killed and restarted mid-load. Not one request may fail.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { meshedStack, type MeshedStack } from './test/fixture.ts';

const SERVICES = [
  { name: 'web', kind: 'http' as const, port: 8080 },
  { name: 'payment', kind: 'grpc' as const, port: 50051 },
  { name: 'cache', kind: 'redis' as const, port: 6379 },
  { name: 'checkout', kind: 'client' as const },
];

/** HTTP, gRPC and new mTLS TCP connections (one handshake each) from checkout, all for `seconds`. */
function load(m: MeshedStack, seconds: number) {
  const d = `${seconds}s`;
  return Promise.all([
    m.run('checkout', ['client', 'http', 'http://web:8080/x', d, 'body']),
    m.run('checkout', ['client', 'grpc', 'payment:50051', d]),
    m.run('checkout', ['client', 'tcp', 'cache:6379', d]),
  ]);
}

function assertNoFailures([http, grpc, tcp]: any[]) {
  assert.equal(http.errors, 0, `HTTP errors: ${JSON.stringify(http)}`);
  assert.deepEqual(Object.keys(http.statuses), ['200'], JSON.stringify(http));
  assert.deepEqual(Object.keys(grpc.codes), ['0'], `gRPC codes: ${JSON.stringify(grpc)}`);
  assert.equal(tcp.errors, 0, `TCP: ${JSON.stringify(tcp)}`);
  assert.ok(http.statuses['200'] > 20 && grpc.codes['0'] > 20 && tcp.pong > 20, `enough traffic: ${JSON.stringify([http, grpc, tcp])}`);
}

describe('certificate rotation under load', { timeout: 120_000 }, () => {
  let m: MeshedStack;
  before(async () => {
    m = await meshedStack(SERVICES, { certLifetimeMs: 4000 });
  });
  after(async () => m?.close());

  it('rotates every proxy certificate several times and drops no request', async () => {
    const api = m.mesh.local.api(m.stack);
    const serialsBefore = await Promise.all(['web', 'checkout', 'cache'].map(async (p) => (await api.identity(p)).serial));
    const results = await load(m, 10);
    assertNoFailures(results);
    const serialsAfter = await Promise.all(['web', 'checkout', 'cache'].map(async (p) => (await api.identity(p)).serial));
    serialsAfter.forEach((s, i) => assert.notEqual(s, serialsBefore[i], 'a new certificate was issued'));
    for (const pod of ['web', 'checkout', 'cache']) {
      const renewals = readFileSync(m.mesh.local.proxyOf(m.stack, pod).logFile, 'utf8').match(/certificate renewed/g)?.length ?? 0;
      assert.ok(renewals >= 2, `${pod} renewed ${renewals} times in 10 s with a 4 s lifetime`);
    }
    // The 4 s certificates from before the load have long expired: fresh handshakes prove the new ones are in use.
    const after = await m.run('checkout', ['client', 'tcp', 'cache:6379', '5']);
    assert.deepEqual(after, { pong: 5, errors: 0 });
  });
});

describe('control-plane restart under load', { timeout: 120_000 }, () => {
  let m: MeshedStack;
  before(async () => {
    m = await meshedStack(SERVICES);
  });
  after(async () => m?.close());

  it('keeps serving on the last config while the control plane is killed and restarted, then resumes', async () => {
    const running = load(m, 8);
    await sleep(2000);
    await m.mesh.local.restartControlPlane(m.stack, { hard: true, downMs: 2000 });
    assertNoFailures(await running);
    // After the restart: proxies reconnect their watch and new policy reaches them (state came back from disk).
    await m.mesh.local.applyPolicy(m.stack, { default: 'all-authenticated', allow: [{ to: 'payment', port: 50051, from: ['web'] }] });
    assert.deepEqual((await m.run('checkout', ['client', 'grpc', 'payment:50051', '2'])).codes, { 7: 2 });
    const api = m.mesh.local.api(m.stack);
    const check = await api.check();
    assert.ok(check.pods.every((p) => p.problems.every((x) => x !== 'not watching for config' && x !== 'no certificate issued yet')), JSON.stringify(check.pods));
    assert.match((await api.identity('web')).chainPem ?? '', /BEGIN CERTIFICATE/, 'issued certificates survive the restart');
  });
});

describe('graceful drain', { timeout: 60_000 }, () => {
  let m: MeshedStack;
  before(async () => {
    m = await meshedStack([SERVICES[0], SERVICES[3]]);
  });
  after(async () => m?.close());

  it('finishes requests in flight when the proxy gets SIGTERM, then exits 0', async () => {
    const proxy = m.mesh.local.proxyOf(m.stack, 'web');
    const inflight = m.run('checkout', ['client', 'http', 'http://web:8080/slow/1500', '1']);
    await sleep(700);
    process.kill(proxy.pid, 'SIGTERM');
    assert.deepEqual((await inflight).statuses, { 200: 1 }, 'the slow request in flight completed');
    assert.equal(await proxy.exited, 0);
    assert.match(readFileSync(proxy.logFile, 'utf8'), /draining \d+ connections[\s\S]*drained/);
  });
});
