// The nightly workflow parses, uses Node 22 and a Docker runner, and calls scripts that exist and behave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';

const root = new URL('../', import.meta.url);

test('nightly workflow: schedule, Node 22, bench, artifact, regression gate', () => {
  const wf = parse(readFileSync(new URL('ci/workflows/nightly.yml', root), 'utf8')) as { on: { schedule: unknown[] }; jobs: Record<string, { 'runs-on': string; steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] }> };
  assert.ok(wf.on.schedule.length > 0);
  const job = wf.jobs['kind-bench'];
  assert.equal(job['runs-on'], 'ubuntu-latest');
  assert.equal(job.steps.find((s) => s.uses?.startsWith('actions/setup-node'))?.with?.['node-version'], 22);
  const runs = job.steps.map((s) => s.run ?? '').join('\n');
  for (const script of runs.match(/ci\/[\w.-]+\.sh/g) ?? []) assert.ok(existsSync(new URL(script, root)), script);
  assert.match(runs, /ci\/nightly\.sh run/);
  assert.match(runs, /ci\/nightly\.sh compare previous run/);
  assert.ok(job.steps.some((s) => s.uses?.startsWith('actions/upload-artifact') && s.with?.name === 'meshbench-results'));
});

test('nightly.sh compare skips without previous results and rejects unknown commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshbench-ci-'));
  try {
    const script = new URL('ci/nightly.sh', root).pathname;
    const skip = spawnSync('bash', [script, 'compare', join(dir, 'none'), join(dir, 'new')], { encoding: 'utf8' });
    assert.equal(skip.status, 0);
    assert.match(skip.stdout, /nothing to compare against/);
    assert.equal(spawnSync('bash', [script, 'bogus'], { encoding: 'utf8' }).status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
