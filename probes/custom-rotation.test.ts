// cert-rotation against the real custom mesh: with 20-second workload certificates (renewed at 70% of their life)
// the serial changes before expiry while requests flow, and none fails.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDriver, type LocalDeployment } from '../clusters/local/driver.ts';
import { createCustomMesh } from '../mesh-impls/custom/index.ts';
import { fixtureWorkload } from './testing/workload.ts';
import { runProbes } from './index.ts';

it('custom mesh: certificates rotate before expiry with no failed request', { timeout: 120_000 }, async () => {
  const runDir = mkdtempSync(join(tmpdir(), 'meshbench-probe-rotation-'));
  const workload = fixtureWorkload();
  const mesh = createCustomMesh({ profile: 'strict', certLifetimeMs: 20_000 });
  const deployment = (await localDriver.deploy(workload, mesh, { runDir, rep: 1, log: () => {} })) as LocalDeployment;
  try {
    const [r] = await runProbes({ deployment, workload, mesh, platform: 'local' }, { only: ['cert-rotation'] });
    assert.equal(r.outcome, 'pass', `${r.summary} ${JSON.stringify(r.evidence)}`);
    assert.ok((r.evidence.requests as number) > 10);
    assert.equal(r.evidence.failedRequests, 0);
  } finally {
    await deployment.teardown();
    rmSync(runDir, { recursive: true, force: true });
  }
});
