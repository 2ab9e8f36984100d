// Consul service mesh (hashicorp/consul-k8s Helm chart) on kind or an existing cluster: chart pinned, ACLs on for
// deny-by-default intentions, TLS and metrics on; ServiceDefaults and ServiceIntentions from the workload.
// frontend-external is dropped (Consul needs exactly one Service per pod) and the entry port is left out of the
// transparent proxy, because Consul has no way to admit unauthenticated (unmeshed) clients like the load generator.
import type { KubeContext, KubeMesh, KubeObject, Mesh } from '../types.ts';
import { consulValuesYaml } from './values.ts';
import { HEALTH_EXPOSE_PORT, serviceDefaults, serviceIntentions } from './policy.ts';

/** Pinned chart (facts.md §3: chart 1.9.x ↔ Consul 1.22.x; 1.9.3 is the newest 1.9 on releases.hashicorp.com). */
export const CONSUL_CHART_VERSION = '1.9.3';
export const CONSUL_HELM_REPO = 'https://helm.releases.hashicorp.com';

const runLabels = (ctx: KubeContext) => ({ 'meshbench.io/run': ctx.runId });

/** Points native gRPC probes at Envoy's exposed health path (see policy.ts). */
function rewriteGrpcProbes(objects: KubeObject[]): KubeObject[] {
  return objects.map((o) => {
    if (o.kind !== 'Deployment') return o;
    const copy = structuredClone(o) as KubeObject & { spec: { template: { spec: { containers: Record<string, { grpc?: { port: number } }>[] } } } };
    for (const c of copy.spec.template.spec.containers) {
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) if (c[probe]?.grpc) c[probe].grpc = { port: HEALTH_EXPOSE_PORT };
    }
    return copy;
  });
}

export const consulKube: KubeMesh = {
  versions: { 'consul-chart': CONSUL_CHART_VERSION },
  tools: ['helm'],
  controlPlaneNamespaces: ['consul'],
  proxyContainers: ['consul-dataplane'],
  install: (ctx) => [
    {
      do: 'run',
      title: `Consul chart ${CONSUL_CHART_VERSION} (servers, connect injector, ACLs, TLS, metrics)`,
      tool: 'helm',
      args: [
        'upgrade', '--install', 'consul', 'consul', '--repo', CONSUL_HELM_REPO, '--version', CONSUL_CHART_VERSION,
        '--namespace', 'consul', '--create-namespace', '--values', '{file:values.yaml}', '--wait', '--timeout', '10m',
      ],
      files: { 'values.yaml': consulValuesYaml(ctx.namespace) },
    },
    { do: 'wait-ready', title: 'Consul ready', namespace: 'consul', timeoutS: 600 },
  ],
  patch: {
    oneServicePerPod: true,
    appProtocol: true,
    namespaceLabels: {},
    podAnnotations: (svc, ctx) => {
      const exclude = [String(HEALTH_EXPOSE_PORT)];
      const entry = ctx.workload.entry;
      if (svc.name === entry.service) {
        const port = svc.ports.find((p) => p.port === entry.port);
        exclude.push(String(port?.targetPort ?? entry.port));
      }
      return {
        'consul.hashicorp.com/connect-inject': 'true',
        'consul.hashicorp.com/transparent-proxy-exclude-inbound-ports': exclude.join(','),
      };
    },
    objects: (objects) => rewriteGrpcProbes(objects),
  },
  workloadObjects: (workload, ctx) => serviceDefaults(workload, ctx.namespace, runLabels(ctx)),
  policy: (policy, workload, ctx) => serviceIntentions(policy, workload, ctx.namespace, runLabels(ctx)),
  verify: (ctx) => [
    // Consul's own view: its controller reports every config entry synced into Consul, and its injector marked every pod.
    { do: 'run', title: 'ServiceDefaults synced into Consul', tool: 'kubectl', args: ['get', 'servicedefaults', '-n', ctx.namespace, '-o', `jsonpath=${SYNCED_JSONPATH}`], judge: judgeSynced },
    { do: 'run', title: 'Sidecars injected in the workload namespace', tool: 'kubectl', args: ['get', 'pods', '-n', ctx.namespace, '-o', 'jsonpath={range .items[*]}{.metadata.name}{" "}{.metadata.annotations.consul\\.hashicorp\\.com/connect-inject-status}{"\\n"}{end}'], judge: judgeInjectStatus },
  ],
  uninstall: () => [{ do: 'run', title: 'Remove the Consul release', tool: 'helm', args: ['uninstall', 'consul', '--namespace', 'consul', '--wait'] }],
};

const SYNCED_JSONPATH = '{range .items[*]}{.metadata.name}{" "}{.status.conditions[?(@.type=="Synced")].status}{"\\n"}{end}';

/** Every config entry line must read `<name> True` (the Synced condition of consul-k8s' controller). */
export function judgeSynced(stdout: string): { ok: boolean; detail: string } {
  const lines = stdout.trim().split('\n').filter(Boolean);
  if (!lines.length) return { ok: false, detail: 'no config entries found' };
  const bad = lines.filter((l) => !l.endsWith(' True'));
  return bad.length ? { ok: false, detail: `not synced into Consul: ${bad.join('; ')}` } : { ok: true, detail: `${lines.length} config entries synced` };
}

/** Every pod line must read `<pod> injected`. */
export function judgeInjectStatus(stdout: string): { ok: boolean; detail: string } {
  const lines = stdout.trim().split('\n').filter(Boolean);
  const bad = lines.filter((l) => !l.endsWith(' injected'));
  if (!lines.length) return { ok: false, detail: 'no pods found in the workload namespace' };
  return bad.length ? { ok: false, detail: `not injected: ${bad.join('; ')}` } : { ok: true, detail: `${lines.length} pods injected` };
}

const consul: Mesh = {
  name: 'consul',
  description: `Consul service mesh (chart ${CONSUL_CHART_VERSION}, Envoy via consul-dataplane)`,
  meshesPods: true,
  supports: (platform) => platform === 'kind' || platform === 'kubernetes',
  versions: async () => ({ 'consul-chart': CONSUL_CHART_VERSION }),
  kube: consulKube,
};

export default consul;
