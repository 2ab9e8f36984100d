// Translates a MeshPolicy into Linkerd policy objects (policy.linkerd.io + Gateway API HTTPRoute):
//   one Server per service port (accessPolicy deny: nothing passes that is not authorized),
//   per allowed caller a MeshTLSAuthentication (its ServiceAccount) and an AuthorizationPolicy,
//   '*unauthenticated*' callers (ingress, the load generator) through a NetworkAuthentication of all networks.
// HTTP and gRPC Servers are authorized per route: a catch-all route, or one route per allowed gRPC method/path prefix,
// plus a route for gRPC health checks open to the kubelet (a Server with routes denies what no route matches, and
// Linkerd only auto-authorizes the kubelet's HTTP probes, not native gRPC probes).
import { UNAUTHENTICATED, type KubeObject, type KubeServiceInfo, type KubeWorkloadInfo, type MeshPolicy } from '../types.ts';

const POLICY = 'policy.linkerd.io';
const GATEWAY = 'gateway.networking.k8s.io';
const ALL_NETWORKS = 'all-networks';
const HEALTH_PATHS = ['/grpc.health.v1.Health/Check', '/grpc.health.v1.Health/Watch'];

// gRPC ports are declared HTTP/2: Linkerd applies HTTPRoutes (our per-method authorization) to HTTP servers, and a
// gRPC method is an HTTP/2 POST to /package.Service/Method; the proxy still answers denials in gRPC terms
// (grpc-status 7) for requests with a gRPC content-type.
const proxyProtocol = (p: KubeServiceInfo['ports'][number]) =>
  p.opaque || p.protocol === 'tcp' ? 'opaque' : p.protocol === 'grpc' ? 'HTTP/2' : 'HTTP/1';

const serverName = (svc: string, portName: string) => `${svc}-${portName}`;

function route(name: string, ns: string, server: string, paths: readonly string[], labels: Record<string, string>): KubeObject {
  return {
    apiVersion: `${GATEWAY}/v1`,
    kind: 'HTTPRoute',
    metadata: { name, namespace: ns, labels },
    spec: {
      parentRefs: [{ group: POLICY, kind: 'Server', name: server }],
      rules: [
        {
          matches: paths.length
            ? paths.map((p) => ({ path: p.split('/').length === 3 && !p.endsWith('/') ? { type: 'Exact', value: p } : { type: 'PathPrefix', value: p } }))
            : [{ path: { type: 'PathPrefix', value: '/' } }],
        },
      ],
    },
  };
}

function authz(name: string, ns: string, target: { group: string; kind: string; name: string }, authn: { kind: string; name: string }, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: `${POLICY}/v1alpha1`,
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: ns, labels },
    spec: { targetRef: target, requiredAuthenticationRefs: [{ group: POLICY, ...authn }] },
  };
}

export function linkerdPolicyObjects(policy: MeshPolicy, workload: KubeWorkloadInfo, ns: string, labels: Record<string, string>): KubeObject[] {
  const out: KubeObject[] = [];
  const services = new Map(workload.services.map((s) => [s.name, s]));
  const add = (o: KubeObject) => {
    if (!out.some((x) => x.kind === o.kind && x.metadata.name === o.metadata.name)) out.push(o);
  };
  add({
    apiVersion: `${POLICY}/v1alpha1`,
    kind: 'NetworkAuthentication',
    metadata: { name: ALL_NETWORKS, namespace: ns, labels },
    spec: { networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] },
  });
  // A Server for every port of every service: with accessPolicy deny, a port without authorizations is closed.
  for (const svc of workload.services) {
    for (const p of svc.ports) {
      const server = serverName(svc.name, p.name);
      add({
        apiVersion: `${POLICY}/v1beta3`,
        kind: 'Server',
        metadata: { name: server, namespace: ns, labels },
        spec: { podSelector: { matchLabels: { app: svc.name } }, port: p.name, proxyProtocol: proxyProtocol(p), accessPolicy: policy.default === 'deny' ? 'deny' : policy.default },
      });
      if (p.protocol === 'grpc') {
        add(route(`${server}-health`, ns, server, HEALTH_PATHS, labels));
        add(authz(`${server}-health`, ns, { group: GATEWAY, kind: 'HTTPRoute', name: `${server}-health` }, { kind: 'NetworkAuthentication', name: ALL_NETWORKS }, labels));
      }
    }
  }
  policy.allow.forEach((rule) => {
    const svc = services.get(rule.to);
    const port = svc?.ports.find((p) => p.port === rule.port);
    if (!svc || !port) throw new Error(`Policy allows ${rule.from.join(',')} → ${rule.to}:${rule.port}, but the workload has no such service port. Fix the policy or the workload's port list.`);
    const server = serverName(svc.name, port.name);
    const l7 = port.protocol !== 'tcp' && !port.opaque;
    const methods = rule.methods ?? [];
    // Route names must be stable across callers with the same method set, so rules compose.
    const routeName = methods.length ? `${server}-${hash(methods.join(','))}` : `${server}-any`;
    if (l7) add(route(routeName, ns, server, methods, labels));
    const target = l7 ? { group: GATEWAY, kind: 'HTTPRoute', name: routeName } : { group: POLICY, kind: 'Server', name: server };
    for (const from of rule.from) {
      if (from === UNAUTHENTICATED) {
        add(authz(`${target.name}-from-any`, ns, target, { kind: 'NetworkAuthentication', name: ALL_NETWORKS }, labels));
        continue;
      }
      const authn = `sa-${from}`;
      add({
        apiVersion: `${POLICY}/v1alpha1`,
        kind: 'MeshTLSAuthentication',
        metadata: { name: authn, namespace: ns, labels },
        spec: { identityRefs: [{ kind: 'ServiceAccount', name: from }] },
      });
      add(authz(`${target.name}-from-${from}`, ns, target, { kind: 'MeshTLSAuthentication', name: authn }, labels));
    }
  });
  return out;
}

/** Short stable suffix for a set of methods (names stay under 63 characters). */
function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h.toString(36);
}
