// Golden test of `--dry-run --platform kind --meshes none,linkerd,consul,custom`, and the documented install order.
// Regenerate the golden file after an intended change: UPDATE_GOLDEN=1 node --import tsx --test clusters/kubernetes/plan.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dryRunPlan } from './driver.ts';

const GOLDEN = new URL('./testdata/kind-dry-run.golden.txt', import.meta.url);
// The k6 image comes from workloads/load/k6 once it exists; the golden file does not pin which module provides it.
const normalize = (s: string) => s.replace(/image: grafana\/k6\S*/g, 'image: grafana/k6<pinned>');

const plan = () =>
  dryRunPlan({ platform: 'kind', meshes: ['none', 'linkerd', 'consul', 'custom'], workload: 'online-boutique', rps: [50, 100], durationMs: 30_000, warmupMs: 10_000 });

test('kind dry-run plan matches the golden file', async () => {
  const text = normalize(await plan());
  if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
  assert.equal(text, readFileSync(GOLDEN, 'utf8'), 'plan changed: review the diff, then regenerate with UPDATE_GOLDEN=1');
});

function order(text: string, mesh: string, needles: string[]): void {
  const section = text.split('=== mesh ').find((s) => s.startsWith(mesh))!;
  let at = -1;
  for (const n of needles) {
    const i = section.indexOf(n, at + 1);
    assert.ok(i > at, `${mesh}: "${n}" must come after the previous step`);
    at = i;
  }
}

test('plans follow the documented install order', async () => {
  const text = await plan();
  order(text, 'linkerd', [
    'kind create cluster',
    'gateway-api/releases/download/v1.2.1/standard-install.yaml',
    'linkerd check --pre',
    'linkerd install --crds',
    'linkerd install --identity-trust-anchors-file',
    'linkerd check -o json',
    'linkerd viz install',
    'linkerd viz check',
    'kind: Namespace',
    'kind: Deployment',
    'Workload ready (watch)',
    'linkerd check --proxy',
    'kind: AuthorizationPolicy',
    'kind: Job',
    'kind delete cluster',
  ]);
  order(text, 'consul', ['kind create cluster', 'helm upgrade --install consul', 'kind: ServiceDefaults', 'kind: Deployment', 'Workload ready (watch)', 'kind: ServiceIntentions', 'kind delete cluster']);
  order(text, 'none', ['kind create cluster', 'kind: Deployment', 'Workload ready (watch)', 'kind: Job', 'kind delete cluster']);
  // custom (mesh-impls/custom/k8s): images built on the host, loaded into its own cluster, webhook registered last.
  order(text, 'custom', [
    'docker build --file mesh-impls/custom/k8s/images/proxy.Dockerfile',
    'kind create cluster',
    'kind load docker-image meshbench/custom-proxy:0.1.0',
    'kind: CustomResourceDefinition',
    'kubectl create secret generic meshcp-ca',
    'control plane and injector ready',
    'custom-injector-webhook.yaml',
    'kind: Deployment',
    'Workload ready (watch)',
    '/api/check',
    'kind: MeshPolicy',
    'kind delete cluster',
  ]);
  // Each mesh gets its own cluster (they clash on Gateway API CRDs).
  assert.equal(new Set(text.match(/kind create cluster --name \S+/g)).size, 4);
});

test('consul drops frontend-external, linkerd and none keep it', async () => {
  const sections = Object.fromEntries((await plan()).split('=== mesh ').slice(1).map((s) => [s.split(' ')[0], s]));
  assert.doesNotMatch(sections.consul, /name: frontend-external/);
  assert.match(sections.linkerd, /name: frontend-external/);
  assert.match(sections.none, /name: frontend-external/);
});

test('kubernetes dry-run: own namespaces, context, no modification of existing CRDs, teardown of only what it created', async () => {
  const text = await dryRunPlan({ platform: 'kubernetes', meshes: ['none', 'linkerd', 'consul'], workload: 'online-boutique', rps: [50], durationMs: 30_000, warmupMs: 10_000, context: 'prod-like' });
  assert.match(text, /Every kubectl\/linkerd command runs with --context prod-like \(helm: --kube-context\)/);
  assert.doesNotMatch(text, /kind (create|delete) cluster/);
  assert.match(text, /name: meshbench-dryrun\n/);
  assert.match(text, /name: meshbench-dryrun-load\n/);
  assert.match(text, /kubectl create -f https:\/\/github\.com\/kubernetes-sigs\/gateway-api\/releases\/download\/v1\.2\.1\/standard-install\.yaml   # creates what is missing/);
  order(text, 'linkerd', ['Delete namespace meshbench-dryrun-load', 'Delete namespace meshbench-dryrun', 'linkerd viz uninstall | kubectl delete', 'linkerd uninstall | kubectl delete']);
  order(text, 'consul', ['Delete namespace meshbench-dryrun', 'helm uninstall consul']);
});
