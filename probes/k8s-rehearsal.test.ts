// The Kubernetes probes' command plans, run for real in local pods: they pass against a mesh with every property.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { rehearseKubePlans } from './testing/kube-rehearsal.ts';

it('Kubernetes probe plans pass against a mesh with every property', { timeout: 120_000 }, async () => {
  const r = await rehearseKubePlans({ sidecars: true, minVersion: 'TLSv1.3' });
  for (const [id, res] of r) assert.equal(res.outcome, 'pass', `${id}: ${res.summary} ${JSON.stringify(res.evidence)}`);
  assert.equal(r.get('workload-identity')!.evidence.keyType, 'ec P-256');
  assert.equal(r.size, 8);
});
