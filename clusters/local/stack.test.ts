import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalStack, sweepStale } from './stack.ts';
import { isAlive, STATE_DIR } from './state.ts';
import { sh } from './sys.ts';

const logDir = () => mkdtempSync(join(tmpdir(), 'mb-stack-test-'));
const netnsExists = async (name: string) => (await sh`ip netns list`).stdout.split('\n').some((l) => l.split(' ')[0] === name);
const linkExists = (name: string) => existsSync(`/sys/class/net/${name}`);

test('pods get addresses on a bridge, reach each other by service name, and teardown removes everything', async () => {
  const stack = await LocalStack.create({ logDir: logDir() });
  try {
    const a = await stack.addPod('alpha');
    const b = await stack.addPod('beta', { service: 'beta-svc' });
    assert.match(a.ip, /^198\.(18|19)\.\d+\.2$/);
    assert.equal(stack.state.pods.length, 2);
    assert.ok(existsSync(join(STATE_DIR, `slot-${stack.slot}.json`)));
    const server = stack.spawn('beta', { name: 'echo', cmd: process.execPath, args: ['-e', "require('net').createServer(s=>s.end('from-beta')).listen(7000)"] }, 'app');
    await sleep(300);
    const r = await stack.exec('alpha', process.execPath, ['-e', "require('net').connect(7000,'beta-svc').on('data',d=>process.stdout.write(d))"]);
    assert.equal(r.stdout, 'from-beta');
    // A pod's own hosts file maps every service name.
    const hosts = await stack.exec('alpha', 'cat', ['/etc/hosts']);
    assert.match(hosts.stdout, new RegExp(`${b.ip.replace(/\./g, '\\.')} beta-svc`));
    await stack.iptables('alpha', [['-A', 'OUTPUT', '-p', 'tcp', '--dport', '7000', '-j', 'REJECT']]);
    const blocked = await stack.exec('alpha', process.execPath, ['-e', "require('net').connect(7000,'beta-svc').on('error',e=>{console.log(e.code);process.exit(3)})"]);
    assert.equal(blocked.exitCode, 3, 'the iptables rule in the pod namespace applies');
    assert.ok(isAlive(server.pid));
    const { slot } = stack;
    await stack.teardown();
    assert.equal(await netnsExists(a.netns), false);
    assert.equal(linkExists(stack.state.bridge), false);
    assert.equal(existsSync(join(STATE_DIR, `slot-${slot}.json`)), false);
    assert.equal(existsSync(`/etc/netns/${a.netns}`), false);
    assert.equal(isAlive(server.pid), false);
  } finally {
    await stack.teardown();
  }
});

function holdStack(): Promise<{ child: ReturnType<typeof spawn>; info: { slot: number; netns: string; bridge: string; pid: number } }> {
  const fixture = fileURLToPath(new URL('./fixtures/hold-stack.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, logDir()], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ child, info: JSON.parse(out.split('\n')[0]) });
    });
    child.once('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
  });
}

test('SIGINT runs cleanup: namespace, bridge, processes and state are gone', async () => {
  const { child, info } = await holdStack();
  assert.ok(await netnsExists(info.netns));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.equal(await netnsExists(info.netns), false);
  assert.equal(linkExists(info.bridge), false);
  assert.equal(isAlive(info.pid), false);
  assert.equal(existsSync(join(STATE_DIR, `slot-${info.slot}.json`)), false);
});

test('after a SIGKILL, the next sweep removes the stack from its state on disk', async () => {
  const { child, info } = await holdStack();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  assert.ok(await netnsExists(info.netns), 'a killed process cannot clean up');
  assert.ok(isAlive(info.pid), 'its pod process lives on');
  const removed = await sweepStale();
  assert.ok(removed.includes(info.slot));
  assert.equal(await netnsExists(info.netns), false);
  assert.equal(linkExists(info.bridge), false);
  assert.equal(isAlive(info.pid), false);
});
