// The driver's orchestration end to end without a cluster: the pinned tools are replaced by small fake executables
// in the tool cache (they log their arguments and print what the real tools print), and the API server by a local
// fake that answers lists and pods. Covers the documented order, KUBECONFIG, generated identity files, install
// metrics, meshed-state verification, policy apply and a teardown that leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { kubeDriver, type KubeDeployment } from './driver.ts';
import { cachedToolPath } from './tools.ts';
import linkerd from '../../mesh-impls/linkerd/index.ts';
import { leastPrivilegePolicy, type KubeTool } from '../../mesh-impls/types.ts';
import { boutiqueInfo } from '../../workloads/online-boutique/k8s/index.ts';
import type { Workload } from '../../workloads/types.ts';

const CHECK_OK = JSON.stringify({ success: true, categories: [{ categoryName: 'c', checks: [{ description: 'ok', result: 'success' }] }] });
const docs = (n: number, kind: string) => Array.from({ length: n }, (_, i) => `---\napiVersion: v1\nkind: ${kind}\nmetadata:\n  name: x${i}\n`).join('');

function fakeTools(dir: string, work: string): void {
  const write = (tool: KubeTool, body: string) => {
    const path = cachedToolPath(tool, dir);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `#!/bin/sh\necho "${tool} $* KUBECONFIG=$KUBECONFIG" >> ${work}/calls.log\n${body}\n`);
    chmodSync(path, 0o755);
  };
  write('kind', `if [ "$1" = create ]; then
  while [ $# -gt 0 ]; do [ "$1" = --kubeconfig ] && cfg=$2; shift; done
  printf 'apiVersion: v1\\nkind: Config\\nclusters:\\n- name: f\\n  cluster: {server: "%s", insecure-skip-tls-verify: true}\\nusers:\\n- name: u\\n  user: {}\\ncontexts:\\n- name: f\\n  context: {cluster: f, user: u}\\ncurrent-context: f\\n' "$FAKE_API" > "$cfg"
fi`);
  write('linkerd', `case "$*" in
  *--crds*) printf '%b' '${docs(2, 'CustomResourceDefinition').replace(/\n/g, '\\n')}' ;;
  "viz install"*) printf '%b' '${docs(2, 'Deployment').replace(/\n/g, '\\n')}' ;;
  install*) for f in "$3" "$5" "$7"; do test -f "$f" && stat -c 'file %a %n' "$f" >> ${work}/calls.log; done; printf '%b' '${docs(3, 'Deployment').replace(/\n/g, '\\n')}' ;;
  *check*) echo '${CHECK_OK}' ;;
esac`);
  write('kubectl', `case "$1 $2" in
  "apply --server-side") if [ "$4" = "-f" ] && [ "$5" != "-" ]; then :; else cat > ${work}/stdin.tmp; grep -c '^kind: CustomResourceDefinition' ${work}/stdin.tmp >> ${work}/crds || true; cat ${work}/stdin.tmp >> ${work}/applied.yaml; fi ;;
  "get namespace") exit 1 ;;
  "get servicedefaults") echo "frontend True" ;;
  "get pods") echo "frontend-1 injected" ;;
  "logs -n") echo "probe says: 403" ;;
  "exec -n") case "$*" in *points.json*) gzip -c ${work}/points.ndjson | base64 ;; *) exit 1 ;; esac ;;
  "get --raw") case "$3" in */api/check) echo '{"ok":true,"pods":[{"pod":"frontend-1","ok":true,"problems":[]}]}'; exit 0 ;; esac; n=$(cat ${work}/samples 2>/dev/null || echo 0); echo $((n+1)) > ${work}/samples; t=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ); printf '{"pods":[{"podRef":{"name":"frontend","namespace":"online-boutique"},"containers":[{"name":"linkerd-proxy","cpu":{"time":"%s","usageCoreNanoSeconds":%s},"memory":{"rssBytes":%s}}]}]}' "$t" $((n*100000000)) $((1000000+n)) ;;
  "create -f") echo "$3" >> ${work}/created.log ;;
  "delete --ignore-not-found") cat >> ${work}/deleted.yaml ;;
  "get crd") n=$(awk '{s+=$1} END {print s+0}' ${work}/crds 2>/dev/null); i=0; while [ $i -lt $n ]; do echo "customresourcedefinition/crd$i"; i=$((i+1)); done ;;
esac`);
  write('helm', `case "$1" in
  upgrade) while [ $# -gt 0 ]; do [ "$1" = --values ] && test -f "$2" && grep -q manageSystemACLs "$2" && echo "values ok" >> ${work}/calls.log; shift; done ;;
  get) printf '%b' '${docs(4, 'ConfigMap').replace(/\n/g, '\\n')}' ;;
esac`);
}

/** Lists with one ready Deployment per namespace, meshed pods, and namespaces labelled with run `runabcr1`. */
async function fakeApi(proxy = 'linkerd-proxy'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    res.writeHead(200, { 'content-type': 'application/json' });
    const ns = url.pathname.split('/namespaces/')[1]?.split('/')[0];
    if (url.pathname.endsWith('/deployments')) {
      return res.end(JSON.stringify({ metadata: { resourceVersion: '1' }, items: [{ metadata: { name: `${ns}-d`, generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, updatedReplicas: 1, availableReplicas: 1 } }] }));
    }
    if (url.pathname === '/api/v1/nodes') return res.end(JSON.stringify({ metadata: {}, items: [{ metadata: { name: 'node-1' } }] }));
    if (url.pathname.endsWith('/pods') && url.searchParams.get('watch') === 'true') {
      // The k6 Job's pod appears and is Running (k6 init container done, results holder up).
      const probe = url.searchParams.get('fieldSelector')?.includes('probe-');
      res.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: probe ? 'probe-1' : 'k6-pod' }, status: { phase: probe ? 'Succeeded' : 'Running' } } })}\n`);
      return;
    }
    if (url.pathname.endsWith('/pods')) {
      const pod = (name: string) => ({ metadata: { name, labels: { app: name } }, spec: { containers: [{ name: 'server' }, { name: proxy }] }, status: { podIP: '10.0.0.1', containerStatuses: ['server', proxy].map((n) => ({ name: n, ready: true, image: 'i', imageID: 'i', restartCount: 0 })) } });
      return res.end(JSON.stringify({ metadata: {}, items: [pod('frontend'), pod('cartservice')] }));
    }
    const nsGet = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(url.pathname);
    if (nsGet) return res.end(JSON.stringify({ metadata: { name: nsGet[1], labels: { 'meshbench.io/run': 'runabcr1' } } }));
    res.end(JSON.stringify({ metadata: { resourceVersion: '1' }, items: [] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

test('kind + linkerd: documented order, identity files, install metrics, verification, policy, clean teardown', async () => {
  const work = mkdtempSync(join(tmpdir(), 'meshbench-driver-test-'));
  const tools = join(work, 'tools');
  fakeTools(tools, work);
  const server = await fakeApi();
  process.env.FAKE_API = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const runDir = join(work, 'run-abc');
  try {
    const driver = kubeDriver('kind', { toolsDir: tools });
    const d = await driver.deploy({ name: 'online-boutique' } as Workload, linkerd, { runDir, rep: 1, log: () => {} });
    const calls = readFileSync(join(work, 'calls.log'), 'utf8').trim().split('\n');
    const cmds = calls.filter((c) => !c.startsWith('file ')).map((c) => c.replace(/ KUBECONFIG=.*$/, ''));
    const at = (prefix: string) => cmds.findIndex((c) => c.startsWith(prefix));
    const order = ['kind create cluster', 'kubectl apply --server-side --field-manager=meshbench -f https://github.com/kubernetes-sigs/gateway-api', 'linkerd check --pre', 'linkerd install --crds', 'linkerd install --identity-trust-anchors-file', 'linkerd check -o json', 'linkerd viz install', 'linkerd viz check', 'linkerd check --proxy'];
    const idx = order.map(at);
    assert.ok(idx.every((i, n) => i >= 0 && (n === 0 || i > idx[n - 1])), `order: ${JSON.stringify(idx)}\n${cmds.join('\n')}`);
    const kubeconfig = join(runDir, 'kubeconfig-meshbench-linkerd-runabcr1');
    assert.ok(calls.filter((c) => c.startsWith('linkerd') || c.startsWith('kubectl')).every((c) => c.endsWith(`KUBECONFIG=${kubeconfig}`)), 'every cluster command uses the kind kubeconfig');
    const files = calls.filter((c) => c.startsWith('file '));
    assert.equal(files.length, 3, 'trust anchor, issuer cert and key exist when linkerd install runs');
    assert.ok(files.every((f) => f.startsWith('file 600 ')), files.join('; '));
    assert.deepEqual(d.install.steps, 9);
    assert.equal(d.install.objects, 7, 'documents produced by linkerd install --crds, install, viz install');
    assert.equal(d.install.crds, 2);
    assert.equal(d.verification.ok, true);
    assert.equal(d.entryUrl, 'http://frontend.online-boutique.svc.cluster.local:80');
    const applied = readFileSync(join(work, 'applied.yaml'), 'utf8');
    assert.match(applied, /linkerd\.io\/inject: enabled/);
    assert.match(applied, /name: frontend-external/);
    // Load: the k6 Job is rendered, applied, its pod followed, its points fetched with exec and parsed.
    const t0 = Date.now();
    const point = (offsetMs: number, value: number, status: string, phase: string) =>
      JSON.stringify({ type: 'Point', metric: 'http_req_duration', data: { time: new Date(t0 + offsetMs).toISOString(), value, tags: { step: 'home', phase, status, expected_response: String(status < '400') } } });
    writeFileSync(join(work, 'points.ndjson'), [point(0, 50, '200', 'warmup'), point(1500, 10, '200', 'measure'), point(1600, 20, '200', 'measure'), point(1700, 30, '500', 'measure')].join('\n') + '\n');
    const journey = { name: 'j', cookies: false, steps: [{ name: 'home', weight: 1, requests: [{ method: 'GET' as const, path: '/' }] }] };
    const window = d.startResources();
    const load = await d.load({ journey, rps: 50, durationMs: 2000, warmupMs: 1000 });
    assert.equal(load.engine, 'k6');
    assert.equal(load.total.requests, 3);
    assert.equal(load.total.errors.http5xx, 1);
    assert.equal(load.steps.home.latencyMs.max > 19, true);
    const job = readFileSync(join(work, 'applied.yaml'), 'utf8');
    assert.match(job, /kind: Job[\s\S]*name: k6-50rps-1[\s\S]*namespace: meshbench-load/);
    assert.match(job, /BASE_URL=http:\/\/frontend\.online-boutique\.svc\.cluster\.local:80/);
    assert.match(readFileSync(join(work, 'calls.log'), 'utf8'), /kubectl delete job k6-50rps-1 -n meshbench-load/);
    // Resources: kubelet summaries sampled over the window become per-container records with roles.
    await new Promise((r) => setTimeout(r, 50));
    const res = await window.stop(Date.now() - 60_000, Date.now());
    const proxy = res.find((r) => r.process === 'linkerd-proxy');
    assert.equal(proxy?.role, 'proxy');
    assert.ok(proxy!.samples >= 2 && proxy!.rssPeakBytes >= 1_000_001);
    // Probe pods: applied (not injected when asked), followed to completion, logs returned, deleted.
    const probe = await (d as KubeDeployment).runPod({ name: 'probe-1', image: 'busybox:1.36', command: ['sh', '-c', 'echo hi'], meshed: false });
    assert.deepEqual(probe, { phase: 'Succeeded', logs: 'probe says: 403\n' });
    assert.match(readFileSync(join(work, 'applied.yaml'), 'utf8'), /kind: Pod\nmetadata:\n  name: probe-1\n[\s\S]*linkerd\.io\/inject: disabled/);
    assert.match(readFileSync(join(work, 'calls.log'), 'utf8'), /kubectl delete pod -n online-boutique probe-1/);
    await d.applyPolicy(leastPrivilegePolicy(boutiqueInfo() as unknown as Workload));
    assert.match(readFileSync(join(work, 'applied.yaml'), 'utf8'), /kind: AuthorizationPolicy[\s\S]*name: paymentservice-grpc-any-from-checkoutservice/);
    await d.teardown();
    assert.match(readFileSync(join(work, 'calls.log'), 'utf8'), /kind delete cluster --name meshbench-linkerd-runabcr1/);
    for (const f of files) assert.equal(existsSync(f.split(' ')[2]), false, 'generated secrets are removed');
    assert.equal(existsSync(join(tmpdir(), 'meshbench-kind', 'meshbench-linkerd-runabcr1.json')), false, 'sweep state removed');
  } finally {
    server.closeAllConnections();
    server.close();
    delete process.env.FAKE_API;
    rmSync(work, { recursive: true, force: true });
  }
});

test('existing cluster + linkerd: own namespaces, create-only CRDs, context everywhere, only its own objects removed', async () => {
  const work = mkdtempSync(join(tmpdir(), 'meshbench-driver-test-'));
  const tools = join(work, 'tools');
  fakeTools(tools, work);
  const server = await fakeApi();
  const kubeconfig = join(work, 'kubeconfig');
  writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: f\n  cluster: {server: "http://127.0.0.1:${(server.address() as AddressInfo).port}", insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {}\ncontexts:\n- name: shared\n  context: {cluster: f, user: u}\ncurrent-context: other\n`);
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = kubeconfig;
  try {
    const d = await kubeDriver('kubernetes', { toolsDir: tools, context: 'shared' }).deploy({ name: 'online-boutique' } as Workload, linkerd, { runDir: join(work, 'run-abc'), rep: 1, log: () => {} });
    assert.equal(d.entryUrl, 'http://frontend.meshbench-runabcr1.svc.cluster.local:80');
    await d.teardown();
    const cmds = readFileSync(join(work, 'calls.log'), 'utf8').trim().split('\n').filter((c) => !c.startsWith('file '));
    assert.ok(!cmds.some((c) => c.startsWith('kind ')), 'no kind on an existing cluster');
    assert.ok(cmds.filter((c) => c.startsWith('kubectl') || c.startsWith('linkerd')).every((c) => / --context shared /.test(c)), cmds.join('\n'));
    assert.match(readFileSync(join(work, 'created.log'), 'utf8'), /gateway-api\/releases\/download\/v1\.2\.1\/standard-install\.yaml/);
    const deletes = cmds.filter((c) => c.startsWith('kubectl delete namespace')).map((c) => c.split(' ')[3]);
    assert.deepEqual(deletes, ['meshbench-runabcr1-load', 'meshbench-runabcr1']);
    assert.ok(cmds.some((c) => c.startsWith('linkerd uninstall')), 'the mesh this run installed is removed');
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
    server.closeAllConnections();
    server.close();
    rmSync(work, { recursive: true, force: true });
  }
});

test('kind + consul: chart with generated values, config entries before the workload, Consul-side verification', async () => {
  const work = mkdtempSync(join(tmpdir(), 'meshbench-driver-test-'));
  const tools = join(work, 'tools');
  fakeTools(tools, work);
  const server = await fakeApi('consul-dataplane');
  process.env.FAKE_API = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const consul = (await import('../../mesh-impls/consul/index.ts')).default;
    const d = await kubeDriver('kind', { toolsDir: tools }).deploy({ name: 'online-boutique' } as Workload, consul, { runDir: join(work, 'run-abc'), rep: 1, log: () => {} });
    const calls = readFileSync(join(work, 'calls.log'), 'utf8');
    assert.match(calls, /helm upgrade --install consul consul --repo https:\/\/helm\.releases\.hashicorp\.com --version 1\.9\.3[^\n]*\nvalues ok/);
    assert.equal(d.install.objects, 4, 'objects of the Helm release manifest');
    assert.equal(d.install.steps, 2);
    const applied = readFileSync(join(work, 'applied.yaml'), 'utf8');
    assert.ok(applied.indexOf('kind: ServiceDefaults') < applied.indexOf('kind: Deployment'), 'protocols are known to Consul before the pods start');
    assert.doesNotMatch(applied, /frontend-external/);
    assert.match(calls, /kubectl get servicedefaults -n online-boutique/);
    await d.teardown();
    assert.match(readFileSync(join(work, 'calls.log'), 'utf8'), /kind delete cluster --name meshbench-consul-runabcr1/);
  } finally {
    server.closeAllConnections();
    server.close();
    delete process.env.FAKE_API;
    rmSync(work, { recursive: true, force: true });
  }
});

test('kind + custom: images built on the host once per process, before the cluster, then loaded into each cluster', async () => {
  const work = mkdtempSync(join(tmpdir(), 'meshbench-driver-test-'));
  const tools = join(work, 'tools');
  fakeTools(tools, work);
  // docker is the host's own (not a pinned tool): a fake one first on PATH.
  mkdirSync(join(work, 'bin'));
  writeFileSync(join(work, 'bin', 'docker'), `#!/bin/sh\necho "docker $* cwd=$(pwd)" >> ${work}/calls.log\n`);
  chmodSync(join(work, 'bin', 'docker'), 0o755);
  const savedPath = process.env.PATH;
  process.env.PATH = `${join(work, 'bin')}:${savedPath}`;
  const server = await fakeApi('mesh-proxy');
  process.env.FAKE_API = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const custom = (await import('../../mesh-impls/custom/index.ts')).default;
    const driver = kubeDriver('kind', { toolsDir: tools });
    const d1 = await driver.deploy({ name: 'online-boutique' } as Workload, custom, { runDir: join(work, 'run-abc'), rep: 1, log: () => {} });
    const d2 = await driver.deploy({ name: 'online-boutique' } as Workload, custom, { runDir: join(work, 'run-abc'), rep: 2, log: () => {} });
    const cmds = readFileSync(join(work, 'calls.log'), 'utf8').trim().split('\n').map((c) => c.replace(/ KUBECONFIG=.*$/, ''));
    const builds = cmds.filter((c) => c.startsWith('docker build'));
    assert.equal(builds.length, 2, `proxy and control-plane images, built once for both deployments:\n${builds.join('\n')}`);
    assert.ok(builds.every((b) => b.endsWith(`cwd=${join(import.meta.dirname, '..', '..')}`)), 'built from the repository root');
    const at = (prefix: string, from = 0) => cmds.findIndex((c, i) => i >= from && c.startsWith(prefix));
    const order = ['docker build --file mesh-impls/custom/k8s/images/proxy.Dockerfile', 'docker build --file mesh-impls/custom/k8s/images/control-plane.Dockerfile', 'kind create cluster --name meshbench-custom-runabcr1', 'kind load docker-image meshbench/custom-proxy:0.1.0 --name meshbench-custom-runabcr1', 'kind load docker-image meshbench/custom-control-plane:0.1.0', 'kubectl create secret generic meshcp-ca', 'kubectl get --raw /api/v1/namespaces/mesh-system/services/http:meshcp:operator/proxy/api/check', 'kind create cluster --name meshbench-custom-runabcr2', 'kind load docker-image meshbench/custom-proxy:0.1.0 --name meshbench-custom-runabcr2'];
    const idx: number[] = [];
    for (const o of order) idx.push(at(o, (idx.at(-1) ?? -1) + 1));
    assert.ok(idx.every((i) => i >= 0), `order: ${JSON.stringify(idx)}\n${cmds.join('\n')}`);
    assert.equal(d1.install.steps, 9, 'kind loads, namespace, CRD, CA Secret, control plane, wait, profile policy, webhook: not the host builds or the cluster');
    assert.equal(d1.verification.ok, true);
    const applied = readFileSync(join(work, 'applied.yaml'), 'utf8');
    assert.match(applied, /mesh\.meshbench\.io\/inject: enabled/);
    await d1.teardown();
    await d2.teardown();
  } finally {
    process.env.PATH = savedPath;
    server.closeAllConnections();
    server.close();
    delete process.env.FAKE_API;
    rmSync(work, { recursive: true, force: true });
  }
});
