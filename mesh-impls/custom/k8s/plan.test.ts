// Golden test of the `--dry-run` plan for `--platform kind --meshes custom`: the platform's own plan renderer
// (clusters/kubernetes/plan.ts renderDryRun, what `bench --dry-run` prints) fed with the custom mesh's KubeMesh.
// Regenerate after an intended change: UPDATE_GOLDEN=1 node --import tsx --test mesh-impls/custom/k8s/plan.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { renderDryRun } from '../../../clusters/kubernetes/plan.ts';
import { loadKubeWorkload } from '../../../clusters/kubernetes/workload.ts';
import type { Mesh } from '../../types.ts';
import { customKube } from './kube-mesh.ts';

const GOLDEN = new URL('./testdata/kind-custom-dry-run.golden.txt', import.meta.url);

/** The custom Mesh as the lead attaches it: the local part is irrelevant to the kind plan. */
const custom: Mesh = {
  name: 'custom',
  description: 'Our TypeScript mesh (proxy + control plane)',
  supports: () => true,
  versions: async () => customKube.versions,
  meshesPods: true,
  kube: customKube,
};

async function plan(): Promise<string> {
  const workload = await loadKubeWorkload('online-boutique');
  const text = renderDryRun({ platform: 'kind', meshes: [custom], workload, rps: [50, 100], durationMs: 30_000, warmupMs: 10_000, k6Image: 'grafana/k6<pinned>', journeySteps: 6 });
  // Image builds (KubeMesh.hostBuild = imageBuildPlan()) are the plan's first steps, on the host, before the cluster.
  // Left out of the golden file: the tool preflight and the load Job, which belong to the platform, not the mesh.
  const mine = text
    .replace(/\nPreflight:\n[\s\S]*?\n\n=== mesh/, '\nPreflight: (platform tools, see clusters/kubernetes/plan.test.ts)\n\n=== mesh')
    .replace(/\n {2}-- load [\s\S]*?\n {2}-- teardown/, '\n  -- load and resources: (platform steps, see clusters/kubernetes/plan.test.ts)\n  -- teardown');
  return mine;
}

test('kind dry-run plan for the custom mesh matches the golden file', async () => {
  const text = await plan();
  if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
  assert.equal(text, readFileSync(GOLDEN, 'utf8'), 'plan changed: review the diff, then regenerate with UPDATE_GOLDEN=1');
});

test('the plan runs in order: build, cluster, load images, install, webhook, workload, verify, policy, teardown', async () => {
  const text = await plan();
  let at = -1;
  for (const needle of [
    'docker build --file mesh-impls/custom/k8s/images/proxy.Dockerfile',
    'kind create cluster --name meshbench-custom-dryrun',
    'kind load docker-image meshbench/custom-proxy:0.1.0 --name meshbench-custom-dryrun',
    'kind: CustomResourceDefinition',
    'kubectl create secret generic meshcp-ca',
    'kind: ClusterRole',
    'control plane and injector ready',
    "kubectl apply --server-side --field-manager=meshbench -f '<files>/custom-injector-webhook.yaml'",
    'mesh.meshbench.io/inject: enabled',
    'kind: Deployment',
    'Workload ready (watch)',
    'each pod runs mesh-proxy',
    '/api/v1/namespaces/mesh-system/services/http:meshcp:operator/proxy/api/check',
    'kind: MeshPolicy',
    'kind delete cluster --name meshbench-custom-dryrun',
  ]) {
    const i = text.indexOf(needle, at + 1);
    assert.ok(i > at, `"${needle}" must come after the previous step`);
    at = i;
  }
  assert.ok(!text.includes('BEGIN PRIVATE KEY') && !text.includes('BEGIN CERTIFICATE'), 'no key or certificate material in a dry run');
});
