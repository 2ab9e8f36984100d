// Consul config entries for a workload, as CRDs (consul.hashicorp.com/v1alpha1):
//   ServiceDefaults per service — protocol grpc/http/tcp (redis stays tcp) and, for gRPC services, an exposed
//   health-check path so the kubelet's native gRPC probes keep working behind the transparent proxy (Consul only
//   rewrites HTTP probes, facts.md §3 pitfalls);
//   ServiceIntentions per destination — the call graph, L7 permissions when methods are listed.
// Consul service names are Kubernetes Service names, which with ACLs must equal the ServiceAccount names (true for
// Online Boutique: one ServiceAccount per service, same name).
import { UNAUTHENTICATED, type KubeObject, type KubeWorkloadInfo, type MeshPolicy } from '../types.ts';

const API = 'consul.hashicorp.com/v1alpha1';
/** Port of Envoy's expose listener for gRPC health checks (excluded from inbound redirection on every pod). */
export const HEALTH_EXPOSE_PORT = 21500;

const consulProtocol = (p: KubeWorkloadInfo['services'][number]['ports'][number]) =>
  p.opaque || p.protocol === 'tcp' ? 'tcp' : p.protocol === 'grpc' ? 'grpc' : 'http';

export function serviceDefaults(workload: KubeWorkloadInfo, ns: string, labels: Record<string, string>): KubeObject[] {
  return workload.services.map((svc) => {
    const p = svc.ports[0];
    const spec: Record<string, unknown> = { protocol: consulProtocol(p) };
    if (p.protocol === 'grpc') {
      spec.expose = { paths: [{ path: '/grpc.health.v1.Health/Check', localPathPort: p.targetPort ?? p.port, listenerPort: HEALTH_EXPOSE_PORT, protocol: 'http2' }] };
    }
    return { apiVersion: API, kind: 'ServiceDefaults', metadata: { name: svc.name, namespace: ns, labels }, spec };
  });
}

export function serviceIntentions(policy: MeshPolicy, workload: KubeWorkloadInfo, ns: string, labels: Record<string, string>): KubeObject[] {
  const byDest = new Map<string, Record<string, unknown>[]>();
  for (const rule of policy.allow) {
    if (!workload.services.some((s) => s.name === rule.to)) {
      throw new Error(`Policy allows callers of "${rule.to}", which is not a service of the workload. Fix the policy.`);
    }
    for (const from of rule.from) {
      // Unauthenticated callers cannot be named in Consul; the entry port is excluded from the proxy instead (index.ts).
      if (from === UNAUTHENTICATED) continue;
      const source: Record<string, unknown> = rule.methods?.length
        ? { name: from, permissions: rule.methods.map((m) => ({ action: 'allow', http: m.split('/').length === 3 ? { pathExact: m } : { pathPrefix: m } })) }
        : { name: from, action: 'allow' };
      byDest.set(rule.to, [...(byDest.get(rule.to) ?? []), source]);
    }
  }
  const out: KubeObject[] = [...byDest].map(([dest, sources]) => ({
    apiVersion: API,
    kind: 'ServiceIntentions',
    metadata: { name: dest, namespace: ns, labels },
    spec: { destination: { name: dest }, sources },
  }));
  // ACLs make Consul deny by default; a permissive default is an explicit wildcard intention.
  if (policy.default !== 'deny') {
    out.push({ apiVersion: API, kind: 'ServiceIntentions', metadata: { name: 'default-allow', namespace: ns, labels }, spec: { destination: { name: '*' }, sources: [{ name: '*', action: 'allow' }] } });
  }
  return out;
}
