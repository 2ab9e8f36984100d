// The custom mesh under the probes, deployed by the local platform driver like the bench does it: its strict profile
// passes probes 1–7, and with mTLS off or in its permissive profile the probes for the missing properties fail.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDriver, type LocalDeployment } from '../clusters/local/driver.ts';
import { createCustomMesh, type CustomProfile } from '../mesh-impls/custom/index.ts';
import { fixtureWorkload } from './testing/workload.ts';
import { runProbes } from './index.ts';
import type { ProbeRecord } from '../reports/schema.ts';
import type { PolicyProfile } from './types.ts';
import type { Workload } from '../workloads/types.ts';
import pingpong from '../workloads/pingpong/index.ts';

async function probeCustom(profile: CustomProfile, only: string[] | undefined, probeProfile: PolicyProfile, workload: Workload = fixtureWorkload()): Promise<Map<string, ProbeRecord>> {
  const runDir = mkdtempSync(join(tmpdir(), 'meshbench-probe-custom-'));
  const mesh = createCustomMesh({ profile });
  const deployment = (await localDriver.deploy(workload, mesh, { runDir, rep: 1, log: () => {} })) as LocalDeployment;
  try {
    const records = await runProbes({ deployment, workload, mesh, platform: 'local' }, { only, profile: probeProfile });
    return new Map(records.map((r) => [`${r.probe}/${r.policy}`, r]));
  } finally {
    await deployment.teardown();
    rmSync(runDir, { recursive: true, force: true });
  }
}

describe('probes against the custom mesh', { timeout: 240_000 }, () => {
  it('strict profile: probes 1–7 pass', async () => {
    const records = await probeCustom('strict', undefined, 'strict');
    const expected = [
      'mtls-on-the-wire/strict',
      'plaintext-rejected/default',
      'plaintext-rejected/strict',
      'authz-least-privilege/least-privilege',
      'workload-identity/strict',
      'tls-strength/strict',
      'foreign-ca-rejected/strict',
      'admin-exposure/strict',
    ];
    assert.deepEqual([...records.keys()].sort(), [...expected].sort());
    for (const key of expected) assert.equal(records.get(key)!.outcome, 'pass', `${key}: ${records.get(key)!.summary}`);
    const identity = records.get('workload-identity/strict')!.evidence.certificates as { names: string[]; keyType: string }[];
    assert.ok(identity[0].names.includes('spiffe://meshbench.local/ns/default/sa/payment'), JSON.stringify(identity[0].names));
    assert.equal(identity[0].keyType, 'ec P-256');
  });

  it('mTLS off: the marker shows on the wire, and plaintext is accepted by default', async () => {
    const records = await probeCustom('mtls-off', ['mtls-on-the-wire', 'plaintext-rejected'], 'default');
    assert.equal(records.get('mtls-on-the-wire/default')!.outcome, 'fail', records.get('mtls-on-the-wire/default')!.summary);
    assert.equal(records.get('mtls-on-the-wire/default')!.evidence.markerInClear, true);
    assert.equal(records.get('plaintext-rejected/default')!.outcome, 'fail');
  });

  it('permissive profile: plaintext accepted under its default policy (a finding), refused once strict', async () => {
    const records = await probeCustom('permissive', ['plaintext-rejected'], 'default');
    assert.equal(records.get('plaintext-rejected/default')!.outcome, 'fail', records.get('plaintext-rejected/default')!.summary);
    assert.equal(records.get('plaintext-rejected/strict')!.outcome, 'pass', records.get('plaintext-rejected/strict')!.summary);
  });

  it('permissive profile refuses a foreign CA on an HTTP/1 port although it accepts plaintext there', async () => {
    // The probe must speak over its foreign-CA TLS socket: a request that slipped out in plaintext would be answered
    // (permissive accepts plaintext) and turn a refused handshake into a false "fail".
    const records = await probeCustom('permissive', ['foreign-ca-rejected'], 'default', pingpong);
    const r = records.get('foreign-ca-rejected/default')!;
    assert.equal(r.outcome, 'pass', `${r.summary} ${JSON.stringify(r.evidence)}`);
  });
});
