// One plan, two interpreters: the driver executes these steps against a cluster, and `--dry-run` prints them.
// A plan is built per mesh in the documented order: cluster → mesh install → mesh config → workload → wait → verify
// → (policy, load, probes during the run) → teardown.
import { stringify } from 'yaml';
import { fileURLToPath } from 'node:url';
import { leastPrivilegePolicy, type KubeContext, type KubeHostCommand, type KubeObject, type KubeStep, type Mesh } from '../../mesh-impls/types.ts';
import type { Workload } from '../../workloads/types.ts';
import type { KubeWorkload } from './workload.ts';
import { kindClusterName, kindCreateArgs, kindDeleteArgs, KIND_NODE_IMAGE } from '../kind/kind.ts';
import { TOOLS, currentTarget } from './tools.ts';
import { k6Objects } from './k6.ts';

export type Platform = 'kind' | 'kubernetes';

export type PlanStep =
  | KubeStep
  | { do: 'verify-sidecars'; title: string; namespace: string; containers: readonly string[] }
  | { do: 'delete-namespace'; title: string; namespace: string }
  /** On the host, before the cluster exists; the driver runs each distinct command once per process. */
  | ({ do: 'host' } & KubeHostCommand);

export interface MeshPlan {
  mesh: string;
  supported: boolean;
  /** Why the mesh is skipped on this platform. */
  skipReason?: string;
  cluster?: string;
  ctx: KubeContext;
  loadNamespace: string;
  /** Cluster creation (kind) and the mesh's install. */
  setup: PlanStep[];
  /** Mesh config objects, the workload, readiness, meshed-state checks. */
  deploy: PlanStep[];
  /** The least-privilege policy, as the run applies it before the strict-profile probes. */
  policy: PlanStep[];
  teardown: PlanStep[];
}

export interface PlanOptions {
  platform: Platform;
  runId: string;
  /** Run folder (kubeconfigs, generated files); a placeholder in --dry-run. */
  runDir: string;
  context?: string;
  /** `host:pid` of the process that owns the run (a later run sweeps namespaces whose owner died); placeholder in --dry-run. */
  owner?: string;
  /** Whether the mesh control plane already exists on an existing cluster (then it is reused and never removed). */
  meshPreinstalled?: boolean;
}

export const READY_TIMEOUT_S = 600;
export const OWNER_ANNOTATION = 'meshbench.io/owner';
/** Repository root, shown as relative paths in printed plans (so a plan reads the same on every machine). */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function namespacesFor(platform: Platform, runId: string): { workload: string; load: string } {
  // kind clusters belong to the run, so fixed names read better; on a shared cluster every run gets its own.
  return platform === 'kind' ? { workload: 'online-boutique', load: 'meshbench-load' } : { workload: `meshbench-${runId}`, load: `meshbench-${runId}-load` };
}

export function meshPlan(mesh: Mesh, workload: KubeWorkload, o: PlanOptions): MeshPlan {
  const ns = namespacesFor(o.platform, o.runId);
  const ctx: KubeContext = { platform: o.platform, namespace: ns.workload, runId: o.runId, workload: workload.info() };
  const cluster = o.platform === 'kind' ? kindClusterName(mesh.name, o.runId) : undefined;
  const base = { mesh: mesh.name, ctx, cluster, loadNamespace: ns.load };
  const kube = mesh.kube;
  if (!mesh.supports(o.platform) || (mesh.meshesPods && !kube)) {
    const skipReason = `${mesh.name}: not yet supported on ${o.platform}${mesh.local ? ' (it runs on --platform local; its Kubernetes form is not written yet)' : ''}`;
    return { ...base, supported: false, skipReason, setup: [], deploy: [], policy: [], teardown: [] };
  }
  const labels = { 'meshbench.io/run': o.runId };
  const setup: PlanStep[] = [];
  const teardown: PlanStep[] = [];
  if (cluster) {
    // Images a kind install loads are built first (docker's cache makes a repeat cheap; the driver runs each once).
    for (const c of kube?.hostBuild ?? []) setup.push({ do: 'host', ...c });
    const kubeconfig = `${o.runDir}/kubeconfig-${cluster}`;
    setup.push({ do: 'run', title: `Create kind cluster ${cluster} (node ${KIND_NODE_IMAGE})`, tool: 'kind', args: kindCreateArgs(cluster, kubeconfig) });
    teardown.push({ do: 'run', title: `Delete kind cluster ${cluster}`, tool: 'kind', args: kindDeleteArgs(cluster, kubeconfig) });
  }
  if (kube && !o.meshPreinstalled) setup.push(...kube.install(ctx));
  const policy = kube ? [{ do: 'apply' as const, title: 'Least-privilege policy (deny by default, the call graph, ingress to the entry)', objects: kube.policy(leastPrivilegePolicy(ctx.workload as unknown as Workload), ctx.workload, ctx) }] : [];
  const deploy: PlanStep[] = [];
  const configObjects = kube?.workloadObjects?.(ctx.workload, ctx) ?? [];
  const owner = { [OWNER_ANNOTATION]: o.owner ?? '<host>:<pid>' };
  // Namespaces carry the run label (ours to delete) and the owning process (swept if it dies without cleaning up).
  const objects = workload.render({ ctx, patch: kube?.patch }).map((x) =>
    x.kind === 'Namespace' ? { ...x, metadata: { ...x.metadata, annotations: { ...x.metadata.annotations, ...owner } } } : x,
  );
  // The namespace (with the mesh's injection labels/annotations) must exist before mesh config objects inside it.
  deploy.push({ do: 'apply', title: `Namespace ${ns.workload}`, objects: objects.filter((x) => x.kind === 'Namespace') });
  if (configObjects.length) deploy.push({ do: 'apply', title: `${mesh.name} configuration for the workload`, objects: configObjects });
  deploy.push({ do: 'apply', title: `${ctx.workload.name} (${objects.length - 1} objects)`, objects: objects.filter((x) => x.kind !== 'Namespace') });
  deploy.push({ do: 'apply', title: `Load namespace ${ns.load} (not meshed: the load generator is an outside client)`, objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.load, labels, annotations: owner } }] });
  deploy.push({ do: 'wait-ready', title: 'Workload ready (watch)', namespace: ns.workload, timeoutS: READY_TIMEOUT_S });
  if (kube) {
    deploy.push({ do: 'verify-sidecars', title: `Every pod has its ${kube.proxyContainers.join('/')} proxy, all containers ready`, namespace: ns.workload, containers: kube.proxyContainers });
    deploy.push(...kube.verify(ctx));
  }
  if (!cluster) {
    teardown.push({ do: 'delete-namespace', title: `Delete namespace ${ns.load}`, namespace: ns.load });
    teardown.push({ do: 'delete-namespace', title: `Delete namespace ${ns.workload}`, namespace: ns.workload });
    if (kube && !o.meshPreinstalled) teardown.push(...kube.uninstall(ctx));
  }
  return { ...base, supported: true, setup, deploy, policy, teardown };
}

// ---- printing (--dry-run) -------------------------------------------------------------------------------------------

function shellQuote(a: string): string {
  return /^[\w@%+=:,./{}-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

function cmd(tool: string, args: readonly string[]): string {
  return [tool, ...args].map(shellQuote).join(' ');
}

const APPLY = ['apply', '--server-side', '--field-manager=meshbench', '-f', '-'];

export function yamlDocs(objects: readonly KubeObject[]): string {
  return objects.map((x) => `---\n${stringify(x, { lineWidth: 0 })}`).join('');
}

function indent(text: string, by = '      '): string {
  return text.replace(/\n$/, '').split('\n').map((l) => by + l).join('\n');
}

export function renderStep(step: PlanStep, n: number, files: Record<string, string>, platform: Platform = 'kind'): string {
  const head = `  [${n}] ${step.title}`;
  switch (step.do) {
    case 'run': {
      const args = step.args.map((a) => a.replace(/\{file:([^}]+)\}/g, (_, f) => `<files>/${f}`));
      let line = `    $ ${cmd(step.tool, args)}${step.apply ? ` | ${cmd('kubectl', APPLY)}` : ''}${step.delete ? ' | kubectl delete --ignore-not-found -f -' : ''}`;
      if (step.judge) line += '\n      (output judged: the step fails unless every check passes)';
      for (const [name, content] of Object.entries(step.files ?? {})) {
        files[name] = content;
        line += `\n      <files>/${name}:\n${indent(content, '        ')}`;
      }
      return `${head}\n${line}`;
    }
    case 'apply':
      return `${head}\n    $ ${cmd('kubectl', APPLY)} <<'EOF'\n${indent(yamlDocs(step.objects), '    ')}\n    EOF`;
    case 'apply-url':
      return platform === 'kind'
        ? `${head}\n    $ ${cmd('kubectl', ['apply', '--server-side', '--field-manager=meshbench', '-f', step.url])}`
        : `${head}\n    $ ${cmd('kubectl', ['create', '-f', step.url])}   # creates what is missing; existing objects are never modified`;
    case 'wait-ready':
      return `${head}\n    (watch) every Deployment/StatefulSet/DaemonSet in namespace ${step.namespace} ready, at most ${step.timeoutS}s`;
    case 'verify-sidecars':
      return `${head}\n    (list pods in ${step.namespace}) each pod runs ${step.containers.join(' or ')} (container or native sidecar) and every container is ready`;
    case 'host':
      return `${head}\n    $ ${cmd(step.cmd, step.args)}   # on the host, in ${step.cwd.replace(/\/?$/, '/') === REPO_ROOT ? 'the repository root' : step.cwd}; once per bench process`;
    case 'delete-namespace':
      return `${head}\n    $ kubectl delete namespace ${step.namespace} --wait   # only namespaces this run created (label meshbench.io/run)`;
  }
}

export interface DryRunInput {
  platform: Platform;
  meshes: readonly Mesh[];
  workload: KubeWorkload;
  context?: string;
  rps: readonly number[];
  durationMs: number;
  warmupMs: number;
  k6Image: string;
  journeySteps: number;
}

/** The full plan as text: every command and every manifest, in execution order. Touches nothing. */
export function renderDryRun(input: DryRunInput): string {
  const runId = 'dryrun';
  const out: string[] = [];
  const t = currentTarget();
  out.push(`meshbench --dry-run: platform ${input.platform}, meshes ${input.meshes.map((m) => m.name).join(', ')}, workload ${input.workload.info().name}`);
  out.push(`run id "${runId}" stands for the real run id; <run> is the run folder; <files> a private temporary folder of generated files.`);
  if (input.platform === 'kubernetes') out.push(`Every kubectl/linkerd command runs with --context ${input.context ?? '<current context>'} (helm: --kube-context).`);
  out.push('', 'Preflight:');
  if (input.platform === 'kind') out.push('  - docker: `docker info` must succeed (kind runs each node as a container)');
  for (const tool of Object.values(TOOLS)) {
    if (tool.name === 'kind' && input.platform !== 'kind') continue;
    const sum = tool.sha256[t] ? `sha256 ${tool.sha256[t]} (pinned)` : `sha256 from ${tool.checksumUrl(t)} (not pinned in code)`;
    out.push(`  - ${tool.name} ${tool.version}: cached, or downloaded from ${tool.url(t)}; ${sum}`);
  }
  for (const mesh of input.meshes) {
    const plan = meshPlan(mesh, input.workload, { platform: input.platform, runId, runDir: '<run>' });
    out.push('', `=== mesh ${mesh.name}${plan.cluster && plan.supported ? ` (kind cluster ${plan.cluster})` : ''} ===`);
    if (!plan.supported) {
      out.push(`  skipped: ${plan.skipReason}`);
      continue;
    }
    if (plan.cluster) out.push(`  export KUBECONFIG=<run>/kubeconfig-${plan.cluster}   # for every command after the cluster exists`);
    else if (mesh.kube) out.push(`  if namespace ${mesh.kube.controlPlaneNamespaces[0]} already exists, the install and uninstall steps are skipped: the mesh is reused and left in place`);
    for (const g of mesh.kube?.generatedFiles ?? []) out.push(`  generate <files>/${g.name}: ${g.description} (generated at run time, not printed)`);
    let n = 0;
    const files: Record<string, string> = {};
    const section = (title: string, steps: PlanStep[]) => {
      if (!steps.length) return;
      out.push(`  -- ${title}`);
      for (const s of steps) out.push(renderStep(s, ++n, files, input.platform));
    };
    section('setup', plan.setup);
    section('deploy and verify', plan.deploy);
    section('policy (applied by the run before the strict-profile probes)', plan.policy);
    const loads: PlanStep[] = input.rps.map((rps) => ({
      do: 'apply' as const,
      title: `k6 Job for ${rps} req/s: ${input.warmupMs / 1000}s warm-up + ${input.durationMs / 1000}s measured; points.json read with kubectl exec, then the Job deleted`,
      objects: k6Objects({
        name: `k6-${rps}rps-1`,
        namespace: plan.loadNamespace,
        image: input.k6Image,
        labels: { 'meshbench.io/run': runId },
        timeoutS: Math.ceil((input.warmupMs + input.durationMs) / 1000) + 130,
        baseUrl: `http://${plan.ctx.workload.entry.service}.${plan.ctx.namespace}.svc.cluster.local:${plan.ctx.workload.entry.port}`,
        script: `// script.js: rendered at run time by workloads/load/k6 (renderK6Script) from the journey (${input.journeySteps} weighted steps) at ${rps} req/s\n`,
      }),
    })).slice(0, 1);
    section(`load (one Job per level; the first shown, levels ${input.rps.join(', ')} req/s)`, loads);
    out.push('  -- resources during each window');
    out.push(`    $ kubectl get --raw /api/v1/nodes/<node>/proxy/stats/summary   # every 5 s, per node; CPU and RSS per container`);
    section('teardown (always runs: success, failure, Ctrl-C)', plan.teardown);
  }
  return out.join('\n').replaceAll(REPO_ROOT, '') + '\n';
}
