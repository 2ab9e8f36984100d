// The explorer's path: `npm run up` leaves a meshed stack running, `npm run probe` attaches to it from another
// process, `npm run down` removes it and leaves no namespace behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const tsx = (script: string, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: 'true' } });

test('up → probe → down on the custom mesh', { timeout: 300_000 }, async () => {
  const up = tsx('scripts/up.ts', ['--workload', 'pingpong', '--mesh', 'custom', '--json']);
  assert.equal(up.status, 0, up.stderr);
  const stack = JSON.parse(up.stdout) as { slot: number; entry: string; pods: { name: string; ip: string }[] };
  try {
    assert.deepEqual(stack.pods.map((p) => p.name).sort(), ['meshcp', 'pingpong-client', 'pingpong-server']);
    const res = await fetch(`${stack.entry}/ping?via=grpc`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ping');

    const probe = tsx('scripts/probe.ts', ['--mesh', 'custom', '--slot', String(stack.slot), '--json', '--only', 'mtls-on-the-wire,workload-identity']);
    assert.equal(probe.status, 0, probe.stderr);
    const parsed = JSON.parse(probe.stdout);
    const records = (parsed.records ?? parsed) as { probe: string; outcome: string; evidence: Record<string, unknown> }[];
    const outcome = (id: string) => records.find((r) => r.probe === id)?.outcome;
    assert.equal(outcome('mtls-on-the-wire'), 'pass');
    assert.equal(outcome('workload-identity'), 'pass');
  } finally {
    const down = tsx('scripts/down.ts', ['--slot', String(stack.slot)]);
    assert.equal(down.status, 0, down.stderr);
  }
  const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  assert.ok(!netns.split('\n').some((l) => l.startsWith(`mb${stack.slot}-`)), 'no namespace of the stack is left');
});
