// The kind and kubernetes platform driver: executes the plan of plan.ts against a cluster.
//   kind: one cluster per mesh, created for the deployment and deleted with it.
//   kubernetes: an existing cluster (kubeconfig context), namespaces of the run's own; a mesh already installed
//   there is reused and never removed; nothing this run did not create is deleted.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, appendFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import { createHash } from 'node:crypto';
import { tmpdir, hostname } from 'node:os';
import { kubeClient, type K8s } from './client.ts';
import { parseAllDocuments } from 'yaml';
import type { Deployment, DeployOptions, PlatformDriver, ResourceWindow } from '../types.ts';
import type { KubeTool, Mesh, MeshPolicy, MeshVerification } from '../../mesh-impls/types.ts';
import type { Workload } from '../../workloads/types.ts';
import type { LoadPlan, LoadResult } from '../../workloads/load/types.ts';
import type { ProcessResources } from '../../reports/schema.ts';
import { loadMesh } from '../../mesh-impls/index.ts';
import { TOOLS, ensureTool, type Fetcher } from './tools.ts';
import { runCmd, contextArgs, type Target } from './exec.ts';
import { meshPlan, renderDryRun, yamlDocs, OWNER_ANNOTATION, type Platform, type PlanStep } from './plan.ts';
import { loadKubeWorkload, type KubeWorkload } from './workload.ts';
import { assertValid } from './validate.ts';
import { waitNamespaceReady, waitPodDone, waitPodPhase } from './wait.ts';
import { parseKubeletSummary, resourcesFromSamples, type ContainerSample } from './kubelet.ts';
import { k6Objects, K6_DIR } from './k6.ts';
import { renderK6Script, parseK6Ndjson, parseK6Summary, K6_IMAGE } from '../../workloads/load/k6/index.ts';
import { probePod, type ProbePodSpec } from './probe-pod.ts';
import { KIND_NODE_IMAGE, KIND_PREFIX } from '../kind/kind.ts';
import { onCleanup } from '../../harness/cleanup.ts';

/** A Kubernetes deployment: the Deployment seam plus short-lived pods for the security probes. */
export type KubeDeployment = Deployment & {
  runPod(spec: Omit<ProbePodSpec, 'namespace' | 'labels'> & { namespace?: string }): Promise<{ phase: string; logs: string }>;
};

export interface KubeDriverOptions {
  /** kubernetes: the kubeconfig context (default: the current context). */
  context?: string;
  /** Where pinned tools are cached (default ~/.cache/meshbench/tools). */
  toolsDir?: string;
  /** Test seam for downloads. */
  fetcher?: Fetcher;
}

const APPLY = ['apply', '--server-side', '--field-manager=meshbench', '--force-conflicts', '-f', '-'];
const SAMPLE_EVERY_MS = 5000;
const STATE_DIR = join(tmpdir(), 'meshbench-kind');
/** Host commands (image builds) already run by this process: each runs once, before the first cluster that needs it. */
const hostDone = new Map<string, Promise<void>>();

export function kubeDriver(platform: Platform, options: KubeDriverOptions = {}): PlatformDriver {
  const tool = async (name: KubeTool) => (await ensureTool(name, { dir: options.toolsDir, fetcher: options.fetcher })).path;

  return {
    name: platform,

    async preflight() {
      const problems: string[] = [];
      if (platform === 'kind') {
        const docker = await runCmd('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15_000 }).catch((e: Error) => ({ code: 127, stdout: '', stderr: e.message }));
        if (docker.code !== 0) {
          problems.push(`Docker is not available (\`docker info\` failed: ${docker.stderr.trim().split('\n')[0] || `exit ${docker.code}`}). kind runs Kubernetes nodes as Docker containers: install Docker Engine (https://docs.docker.com/engine/install/) and make sure \`docker info\` works for this user.`);
        }
      }
      // Every tool at once, so one run tells the user everything that is missing.
      const needed: KubeTool[] = platform === 'kind' ? ['kind', 'kubectl', 'helm', 'linkerd'] : ['kubectl', 'helm', 'linkerd'];
      const results = await Promise.allSettled(needed.map((t) => tool(t)));
      results.forEach((r, i) => {
        if (r.status === 'rejected') problems.push((r.reason as Error).message);
      });
      if (platform === 'kubernetes' && results[0].status === 'fulfilled') {
        const v = await runCmd(results[0].value, ['version', '-o', 'json', '--request-timeout=10s', ...contextArgs('kubectl', options)], { timeoutMs: 20_000 });
        if (v.code !== 0) problems.push(`Cannot reach the cluster${options.context ? ` of context "${options.context}"` : ' of the current kubeconfig context'}: ${v.stderr.trim().split('\n')[0]}. Fix: pick a context that works with \`kubectl --context NAME get nodes\` and pass --context NAME.`);
      }
      if (problems.length) {
        throw new Error(`--platform ${platform} cannot start:\n  - ${problems.join('\n  - ')}\nNothing was created.`);
      }
    },

    async sweep() {
      if (platform === 'kubernetes') return sweepNamespaces(options);
      if (!existsSync(STATE_DIR)) return;
      // Clusters whose owning process is gone were left by a killed run; only names with our prefix are touched.
      const kind = await tool('kind');
      for (const file of readdirSync(STATE_DIR)) {
        const { name, pid, kubeconfig } = JSON.parse(readFileSync(join(STATE_DIR, file), 'utf8')) as { name: string; pid: number; kubeconfig: string };
        if (!name.startsWith(KIND_PREFIX) || alive(pid)) continue;
        await runCmd(kind, ['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfig]);
        rmSync(join(STATE_DIR, file), { force: true });
      }
    },

    async toolVersions() {
      const v: Record<string, string> = Object.fromEntries(Object.values(TOOLS).map((t) => [t.name, t.version]));
      if (platform === 'kind') v['kind-node-image'] = KIND_NODE_IMAGE;
      return v;
    },

    async deploy(workload: Workload, mesh: Mesh, opts: DeployOptions): Promise<Deployment> {
      return deployOn(platform, options, tool, workload, mesh, opts);
    },
  };
}

/** Namespaces a killed run on this host left on an existing cluster (owner annotation host:pid, pid gone). */
async function sweepNamespaces(options: KubeDriverOptions): Promise<void> {
  const k8s = await kubeClient();
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  if (options.context) kc.setCurrentContext(options.context);
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const list = await api.listNamespace({ labelSelector: 'meshbench.io/run' });
  for (const ns of list.items) {
    const [host, pid] = (ns.metadata?.annotations?.[OWNER_ANNOTATION] ?? '').split(':');
    if (host === hostname() && pid && !alive(Number(pid))) await api.deleteNamespace({ name: ns.metadata!.name! });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function deployOn(
  platform: Platform,
  options: KubeDriverOptions,
  tool: (t: KubeTool) => Promise<string>,
  workload: Workload,
  mesh: Mesh,
  opts: DeployOptions,
): Promise<Deployment> {
  const k8s = await kubeClient();
  const kw: KubeWorkload = await loadKubeWorkload(workload.name);
  const runId = `${basename(opts.runDir).toLowerCase().replace(/[^a-z0-9]/g, '').slice(-8) || 'run'}r${opts.rep}`;
  const logDir = join(opts.runDir, 'logs', `${mesh.name}-rep${opts.rep}`);
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, 'kube.log');
  const log = (line: string) => {
    appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
    opts.log(line);
  };
  // Generated secrets and values live in a private folder, created when the deployment starts; teardown removes it.
  let files = '';
  const target: Target = { context: platform === 'kubernetes' ? options.context : undefined };
  let kc: K8s.KubeConfig | undefined;

  // Whether the mesh already runs on an existing cluster: then it is reused, and left in place afterwards.
  let preinstalled = false;
  if (platform === 'kubernetes' && mesh.kube) {
    const kubectl = await tool('kubectl');
    const r = await runCmd(kubectl, ['get', 'namespace', mesh.kube.controlPlaneNamespaces[0], '-o', 'name', ...contextArgs('kubectl', target)]);
    preinstalled = r.code === 0;
    if (preinstalled) log(`${mesh.name}: control plane namespace ${mesh.kube.controlPlaneNamespaces[0]} exists; reusing it and leaving it in place`);
  }
  const plan = meshPlan(mesh, kw, { platform, runId, runDir: opts.runDir, context: options.context, meshPreinstalled: preinstalled, owner: `${hostname()}:${process.pid}` });
  if (!plan.supported) throw new Error(plan.skipReason);
  if (plan.cluster) target.kubeconfig = join(opts.runDir, `kubeconfig-${plan.cluster}`);

  const env = (): Record<string, string> => (target.kubeconfig ? { KUBECONFIG: target.kubeconfig } : {});
  const kubeConfig = () => {
    if (kc) return kc;
    kc = new k8s.KubeConfig();
    if (target.kubeconfig) kc.loadFromFile(target.kubeconfig);
    else kc.loadFromDefault();
    if (target.context) kc.setCurrentContext(target.context);
    return kc;
  };
  const kubectl = async (args: string[], stdin?: string) => {
    const r = await runCmd(await tool('kubectl'), [...args, ...contextArgs('kubectl', target)], { env: env(), stdin });
    if (r.code !== 0) throw new Error(`kubectl ${args.slice(0, 3).join(' ')} failed: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const count = { objects: 0 };
  const generated: Record<string, string> = {};

  const execStep = async (step: PlanStep): Promise<void> => {
    log(`step: ${step.title}`);
    switch (step.do) {
      case 'run': {
        for (const [name, content] of Object.entries(step.files ?? {})) {
          generated[name] = join(files, name);
          writeFileSync(generated[name], content, { mode: 0o600 });
        }
        const args = step.args.map((a) => a.replace(/\{file:([^}]+)\}/g, (_, f: string) => generated[f] ?? f));
        const r = await runCmd(await tool(step.tool), [...args, ...contextArgs(step.tool, target)], { env: env() });
        appendFileSync(logFile, r.stdout.slice(-20_000) + r.stderr.slice(-20_000));
        if (step.judge) {
          const verdict = step.judge(r.stdout);
          log(`  ${verdict.detail}`);
          if (!verdict.ok) throw new Error(`${step.title}: ${verdict.detail}`);
        } else if (r.code !== 0) throw new Error(`${step.title}: ${step.tool} exited ${r.code}: ${r.stderr.trim().slice(-2000)}`);
        if (step.apply || step.delete) {
          if (step.apply) count.objects += parseAllDocuments(r.stdout).filter((d) => d.contents).length;
          await kubectl(step.apply ? APPLY : ['delete', '--ignore-not-found', '-f', '-'], r.stdout);
        }
        if (step.tool === 'helm' && step.args[0] === 'upgrade') {
          const manifest = await runCmd(await tool('helm'), ['get', 'manifest', step.args[2], '-n', step.args[step.args.indexOf('--namespace') + 1], ...contextArgs('helm', target)], { env: env() });
          count.objects += parseAllDocuments(manifest.stdout).filter((d) => d.contents).length;
        }
        return;
      }
      case 'apply':
        assertValid(step.objects, step.title);
        await kubectl(APPLY, yamlDocs(step.objects));
        return;
      case 'apply-url':
        if (step.sha256) {
          // Pinned manifest: fetched here, checked, then applied from memory (what is applied is what was checked).
          const body = await (options.fetcher ?? (async (u: string) => Buffer.from(await (await fetch(u)).arrayBuffer())))(step.url);
          const got = createHash('sha256').update(body).digest('hex');
          if (got !== step.sha256) throw new Error(`${step.title}: ${step.url} has sha256 ${got}, pinned ${step.sha256}; nothing applied.`);
          await kubectl(platform === 'kind' ? APPLY : ['create', '-f', '-'], body.toString('utf8')).catch((e: Error) => {
            if (platform === 'kind' || !/AlreadyExists|already exists/.test(e.message)) throw e;
          });
        } else if (platform === 'kind') await kubectl(['apply', '--server-side', '--field-manager=meshbench', '-f', step.url]);
        else {
          // On a cluster we do not own, create what is missing and never modify what exists (e.g. newer Gateway API CRDs).
          const r = await runCmd(await tool('kubectl'), ['create', '-f', step.url, ...contextArgs('kubectl', target)], { env: env() });
          const real = r.stderr.split('\n').filter((l) => l.trim() && !/AlreadyExists|already exists/.test(l));
          if (r.code !== 0 && real.length) throw new Error(`${step.title}: ${real.join('; ')}`);
        }
        return;
      case 'wait-ready':
        await waitNamespaceReady(kubeConfig(), step.namespace, step.timeoutS);
        return;
      case 'verify-sidecars': {
        const v = await verifySidecars(kubeConfig(), step.namespace, step.containers);
        if (!v.ok) throw new Error(`${step.title}: ${v.pods.filter((p) => !p.meshed).map((p) => `${p.pod}: ${p.detail}`).join('; ')}`);
        return;
      }
      case 'host': {
        const key = JSON.stringify([step.cwd, step.cmd, step.args]);
        if (!hostDone.has(key)) {
          const run = runCmd(step.cmd, step.args, { cwd: step.cwd }).then((r) => {
            appendFileSync(logFile, r.stdout.slice(-20_000) + r.stderr.slice(-20_000));
            if (r.code !== 0) throw new Error(`${step.title}: ${step.cmd} exited ${r.code}: ${r.stderr.trim().slice(-2000)}`);
          });
          // A failed build is retried by the next deployment rather than remembered.
          hostDone.set(key, run.catch((e: Error) => { hostDone.delete(key); throw e; }));
        }
        await hostDone.get(key);
        return;
      }
      case 'delete-namespace': {
        // Only namespaces carrying this run's label are ours to delete.
        const ns = await kubeConfig().makeApiClient(k8s.CoreV1Api).readNamespace({ name: step.namespace }).catch(() => undefined);
        if (ns?.metadata?.labels?.['meshbench.io/run'] === runId) await kubectl(['delete', 'namespace', step.namespace, '--wait']);
        return;
      }
    }
  };

  const crdCount = async () => (await kubectl(['get', 'crd', '-o', 'name'])).split('\n').filter(Boolean).length;
  let tornDown = false;
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    const errors: string[] = [];
    for (const s of plan.teardown) await execStep(s).catch((e: Error) => errors.push(e.message));
    if (plan.cluster) rmSync(join(STATE_DIR, `${plan.cluster}.json`), { force: true });
    if (files) rmSync(files, { recursive: true, force: true });
    if (errors.length) throw new Error(`teardown: ${errors.join('; ')}`);
  };

  // Install cost counts from after the cluster exists: time to a ready, verified workload; the mesh's install steps;
  // the objects its installers produced; the CRDs it added.
  let started = Date.now();
  let crdsBefore: number | undefined;
  const isClusterCreate = (s: PlanStep) => s.do === 'run' && s.tool === 'kind' && s.args[0] === 'create' && s.args[1] === 'cluster';
  const installSteps = plan.setup.filter((s) => !isClusterCreate(s) && s.do !== 'host').length;
  let verification: MeshVerification = { ok: true, pods: [] };
  // Until deploy returns (and the run model registers its own), Ctrl-C must still remove what was created.
  const unregister = onCleanup(`${platform} ${mesh.name}: partial deployment`, teardown);
  try {
    files = mkdtempSync(join(tmpdir(), 'meshbench-files-'));
    for (const g of mesh.kube?.generatedFiles ?? []) {
      generated[g.name] = join(files, g.name);
      writeFileSync(generated[g.name], await g.generate(), { mode: 0o600 });
    }
    for (const s of plan.setup) {
      const createsCluster = isClusterCreate(s);
      if (s.do === 'host') {
        await execStep(s); // before the cluster exists: not part of the install cost
        continue;
      } else if (createsCluster) {
        // Recorded before creation, so a run killed while kind works is still swept later.
        mkdirSync(STATE_DIR, { recursive: true });
        writeFileSync(join(STATE_DIR, `${plan.cluster}.json`), JSON.stringify({ name: plan.cluster, pid: process.pid, kubeconfig: target.kubeconfig, host: hostname() }));
      } else if (crdsBefore === undefined) {
        crdsBefore = await crdCount();
        started = Date.now();
      }
      await execStep(s);
    }
    if (crdsBefore === undefined) {
      crdsBefore = await crdCount();
      started = Date.now();
    }
    for (const s of plan.deploy) await execStep(s);
    verification = mesh.kube ? await verifySidecars(kubeConfig(), plan.ctx.namespace, mesh.kube.proxyContainers) : await baseline(kubeConfig(), plan.ctx.namespace);
  } catch (err) {
    log(`deploy failed: ${(err as Error).message}`);
    await teardown().catch((e: Error) => log(e.message));
    throw err;
  } finally {
    unregister();
  }
  const timeToReadyMs = Date.now() - started;
  const crds = Math.max(0, (await crdCount()) - crdsBefore);
  const info = plan.ctx.workload;
  const entryUrl = `http://${info.entry.service}.${plan.ctx.namespace}.svc.cluster.local:${info.entry.port}`;
  const podsApi = kubeConfig().makeApiClient(k8s.CoreV1Api);
  const podList = await podsApi.listNamespacedPod({ namespace: plan.ctx.namespace });
  let jobSeq = 0;

  const deployment: KubeDeployment = {
    platform,
    mesh: mesh.name,
    workload: workload.name,
    pods: podList.items.map((p) => ({
      name: p.metadata?.name ?? '',
      service: p.metadata?.labels?.app ?? '',
      ip: p.status?.podIP ?? '',
      ports: (p.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((x) => x.containerPort)),
    })),
    entryUrl,
    install: { timeToReadyMs, steps: installSteps, objects: count.objects, crds },
    verification,

    async load(lp): Promise<LoadResult> {
      const name = `k6-${lp.rps}rps-${++jobSeq}`;
      const timeoutMs = lp.timeoutMs ?? 10_000;
      const timeoutS = Math.ceil((lp.warmupMs + lp.durationMs + timeoutMs) / 1000) + 120;
      const script = renderK6Script({ journey: lp.journey, baseUrl: entryUrl, rps: lp.rps, warmupMs: lp.warmupMs, durationMs: lp.durationMs, timeoutMs, seed: lp.seed });
      const objects = k6Objects({ name, namespace: plan.loadNamespace, image: K6_IMAGE, labels: { 'meshbench.io/run': runId }, timeoutS, script, baseUrl: entryUrl });
      assertValid(objects, 'k6 Job');
      const startedAt = Date.now();
      await kubectl(APPLY, yamlDocs(objects));
      try {
        const pod = await waitJobPod(kubeConfig(), plan.loadNamespace, name, 120);
        // Running = the k6 init container finished and the holder started; Failed = k6 failed.
        const phase = await waitPodPhase(kubeConfig(), plan.loadNamespace, pod, ['Running', 'Succeeded', 'Failed'], timeoutS);
        if (phase !== 'Running') {
          const logs = await kubectl(['logs', '-n', plan.loadNamespace, pod, '-c', 'k6', '--tail=50']).catch((e: Error) => e.message);
          throw new Error(`k6 Job ${name} ended ${phase} before its results could be read:\n${logs}`);
        }
        const ctx = { journey: lp.journey, targetRps: lp.rps, warmupMs: lp.warmupMs, durationMs: lp.durationMs, startedAt };
        const fetch = (file: string) => kubectl(['exec', '-n', plan.loadNamespace, pod, '-c', 'results', '--', 'sh', '-c', `test -s ${K6_DIR}/${file} && gzip -c ${K6_DIR}/${file} | base64`]);
        const points = await fetch('points.json').catch(() => '');
        if (points) {
          const gz = Buffer.from(points.replace(/\s/g, ''), 'base64');
          writeFileSync(join(logDir, `${name}.points.json.gz`), gz);
          return parseK6Ndjson(gz, ctx);
        }
        const summary = await fetch('summary.json');
        return parseK6Summary(Buffer.from(summary.replace(/\s/g, ''), 'base64').toString('utf8'), ctx);
      } finally {
        await kubectl(['delete', 'job', name, '-n', plan.loadNamespace, '--ignore-not-found', '--wait=false', '--cascade=background']).catch(() => undefined);
      }
    },

    startResources(): ResourceWindow {
      const samples: ContainerSample[] = [];
      const roleOf = (s: { namespace: string; pod: string; container: string }): ProcessResources['role'] | undefined => {
        if (mesh.kube?.proxyContainers.includes(s.container)) return 'proxy';
        if (mesh.kube?.controlPlaneNamespaces.includes(s.namespace)) return 'control-plane';
        if (s.namespace === plan.ctx.namespace) return 'app';
        if (s.namespace === plan.loadNamespace) return 'load';
        return undefined;
      };
      const sample = async () => {
        const nodes = await podsApi.listNode();
        for (const n of nodes.items) {
          const raw = await kubectl(['get', '--raw', `/api/v1/nodes/${n.metadata?.name}/proxy/stats/summary`]);
          samples.push(...parseKubeletSummary(raw));
        }
      };
      let pending = sample().catch((e: Error) => log(`kubelet summary: ${e.message}`));
      const timer = setInterval(() => {
        pending = pending.then(() => sample().catch((e: Error) => log(`kubelet summary: ${e.message}`)));
      }, SAMPLE_EVERY_MS);
      return {
        async stop(fromMs, toMs) {
          clearInterval(timer);
          await pending;
          await sample().catch((e: Error) => log(`kubelet summary: ${e.message}`));
          // The kubelet caches stats for ~10 s: widen the window by one period on each side so it has two readings.
          return resourcesFromSamples(samples, roleOf, fromMs - 15_000, toMs + 15_000);
        },
      };
    },

    async applyPolicy(policy: MeshPolicy) {
      if (!mesh.kube) return; // the baseline has nothing that could enforce a policy
      const objects = mesh.kube.policy(policy, info, plan.ctx);
      assertValid(objects, `${mesh.name} policy`);
      await kubectl(APPLY, yamlDocs(objects));
    },

    async logExcerpt(lines = 40) {
      return existsSync(logFile) ? readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
    },

    teardown,

    /** Runs a probe pod (workload namespace by default) to completion; its logs are the evidence. */
    async runPod(spec) {
      const ns = spec.namespace ?? plan.ctx.namespace;
      const pod = probePod({ ...spec, namespace: ns, labels: { 'meshbench.io/run': runId } });
      assertValid([pod], 'probe pod');
      await kubectl(APPLY, yamlDocs([pod]));
      try {
        const phase = await waitPodDone(kubeConfig(), ns, spec.name, (spec.timeoutS ?? 120) + 60);
        return { phase, logs: await kubectl(['logs', '-n', ns, spec.name]) };
      } finally {
        await kubectl(['delete', 'pod', '-n', ns, spec.name, '--ignore-not-found', '--wait=false']).catch(() => undefined);
      }
    },
  };
  return deployment;
}

/** The pod a Job created (watch on its label). */
async function waitJobPod(kc: K8s.KubeConfig, namespace: string, job: string, timeoutS: number): Promise<string> {
  const k8s = await kubeClient();
  const deadline = Date.now() + timeoutS * 1000;
  // The Job controller creates the pod within moments; a watch on the label selector sees it appear.
  const watch = new k8s.Watch(kc);
  let controller: AbortController | undefined;
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Job ${namespace}/${job} created no pod in ${timeoutS}s`)), Math.max(0, deadline - Date.now()));
      watch
        .watch(`/api/v1/namespaces/${namespace}/pods`, { labelSelector: `job-name=${job}` }, (_t, o: K8s.V1Pod) => {
          clearTimeout(timer);
          resolve(o.metadata!.name!);
        }, (err) => err && err.name !== 'AbortError' && reject(err))
        .then((c) => (controller = c), reject);
    });
  } finally {
    controller?.abort();
  }
}

/** Meshed state: every pod has a proxy container (or native sidecar) and all its containers are ready. */
export async function verifySidecars(kc: K8s.KubeConfig, namespace: string, proxies: readonly string[]): Promise<MeshVerification> {
  const k8s = await kubeClient();
  const pods = (await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace })).items;
  return judgePods(pods, proxies);
}

export function judgePods(pods: K8s.V1Pod[], proxies: readonly string[]): MeshVerification {
  const out = pods.map((p) => {
    const names = [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])].map((c) => c.name);
    const proxy = names.find((n) => proxies.includes(n));
    const statuses = [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? []).filter((s) => proxies.includes(s.name))];
    const notReady = statuses.filter((s) => !s.ready).map((s) => s.name);
    const meshed = Boolean(proxy) && notReady.length === 0;
    const detail = !proxy ? `no ${proxies.join('/')} container` : notReady.length ? `not ready: ${notReady.join(', ')}` : `${proxy} running`;
    return { pod: p.metadata?.name ?? '?', meshed, detail };
  });
  return { ok: out.length > 0 && out.every((p) => p.meshed), pods: out };
}

async function baseline(kc: K8s.KubeConfig, namespace: string): Promise<MeshVerification> {
  const k8s = await kubeClient();
  const pods = (await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace })).items;
  return { ok: true, pods: pods.map((p) => ({ pod: p.metadata?.name ?? '?', meshed: false, detail: 'baseline: no proxy' })) };
}

/** `--dry-run`: the full plan for the given meshes as text, without touching a cluster or the network. */
export async function dryRunPlan(config: { platform: string; meshes: readonly string[]; workload: string; rps: readonly number[]; durationMs: number; warmupMs: number; context?: string }): Promise<string> {
  if (config.platform !== 'kind' && config.platform !== 'kubernetes') throw new Error(`--dry-run needs --platform kind or kubernetes (got ${config.platform}).`);
  const meshes = await Promise.all(config.meshes.map((m) => loadMesh(m)));
  const workload = await loadKubeWorkload(config.workload);
  const { loadWorkload } = await import('../../workloads/index.ts');
  const journeySteps = await loadWorkload(config.workload).then((w) => w.journey.steps.length, () => 0);
  return renderDryRun({ platform: config.platform, meshes, workload, context: config.context, rps: config.rps, durationMs: config.durationMs, warmupMs: config.warmupMs, k6Image: K6_IMAGE, journeySteps });
}

