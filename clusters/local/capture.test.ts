import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalStack } from './stack.ts';
import { startCapture } from './capture.ts';

test('captures the packets between two pods for a window, payload included', async () => {
  const stack = await LocalStack.create({ logDir: mkdtempSync(join(tmpdir(), 'mb-capture-')) });
  try {
    const server = await stack.addPod('server');
    await stack.addPod('client');
    stack.spawn('server', { name: 'sink', cmd: process.execPath, args: ['-e', "require('net').createServer(s=>s.on('data',()=>s.end('ok'))).listen(7100)"] }, 'app');
    await sleep(300);
    const capture = await startCapture(stack, 'client', { peerIp: server.ip });
    const marker = `MARKER-${Date.now()}`;
    const r = await stack.exec('client', process.execPath, ['-e', `const s=require('net').connect(7100,'server',()=>s.write('${marker}'));s.on('data',d=>{process.stdout.write(d);s.end()})`]);
    assert.equal(r.stdout, 'ok');
    const pcap = readFileSync(await capture.stop());
    assert.ok(pcap.length > 24, 'pcap has packets beyond its header');
    assert.ok(pcap.includes(Buffer.from(marker)), 'the plaintext marker is in the capture');
  } finally {
    await stack.teardown();
  }
});
