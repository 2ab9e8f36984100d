// The Kubernetes probes' command plans, run for real in local pods: against the baseline (no mesh) they fail.
// (The 25-second capture of mtls-on-the-wire is left out here: k8s-rehearsal.test.ts runs it, and the local baseline
// test shows the marker in clear text.)
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { rehearseKubePlans } from './testing/kube-rehearsal.ts';

it('Kubernetes probe plans fail against the baseline', { timeout: 120_000 }, async () => {
  const base = await rehearseKubePlans({ sidecars: false }, ['plaintext-rejected', 'authz-least-privilege', 'workload-identity', 'tls-strength', 'foreign-ca-rejected']);
  for (const id of ['plaintext-rejected/strict', 'authz-least-privilege', 'workload-identity', 'tls-strength', 'foreign-ca-rejected']) {
    assert.equal(base.get(id)!.outcome, 'fail', `${id}: ${base.get(id)!.summary}`);
  }
});
