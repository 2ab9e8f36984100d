// The injector's decision for one pod, as a JSONPatch (RFC 6902) against the pod the API server sent. Pure: no I/O,
// so every case is unit-tested on real pod specs. What an injected pod gets:
//  - `mesh-init` (first init container): installs the interception rules (iptables.ts) in the pod's network namespace,
//    as root with NET_ADMIN/NET_RAW only, and exits;
//  - `mesh-proxy` (second init container, `restartPolicy: Always`: a native sidecar, Kubernetes >= 1.29): starts before
//    every other init and app container and gates them on its startup probe, so no app traffic leaves unproxied;
//  - a projected ServiceAccount token (audience-bound, short-lived) the proxy presents to the control plane, which
//    checks it with TokenReview before signing the proxy's CSR;
//  - annotations saying it was injected (injection is idempotent: a pod that already has them is left alone).
// App containers, their ports and probes are not touched: kubelet probes reach the app through the proxy, which admits
// health checks from the pod's node (MESH_HOST_IP) as on the local platform.
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import { spiffeId } from '../shared/pki.ts';
import { DEFAULT_OPAQUE_PORTS } from '../shared/config.ts';
import { interceptRules, parsePorts } from './iptables.ts';
import {
  ANNOTATIONS, INIT_CONTAINER, PROXY_CONTAINER, PROXY_LIVE_PATH, PROXY_READY_PATH, PROXY_UID, RUN_DIR,
  TOKEN_AUDIENCE, TOKEN_DIR, TOKEN_EXPIRATION_S,
} from './constants.ts';

export interface JsonPatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

export interface InjectorConfig {
  proxyImage: string;
  trustDomain: string;
  /** https://host:port of the control plane's proxy API, as pods reach it (the Service DNS name). */
  controlPlane: string;
  controlPlaneId: string;
  /** Trust anchor PEM, handed to the proxy in its environment (no cross-namespace ConfigMap needed). */
  rootPem: string;
  version: string;
  ports: { inbound: number; outbound: number; admin: number };
  proxyUid?: number;
}

export type InjectResult =
  | { action: 'inject'; patch: JsonPatchOp[]; identity: string; warnings: string[] }
  /** Admitted unchanged (not opted in, already injected) or with only a "skipped" annotation. */
  | { action: 'skip'; patch: JsonPatchOp[]; reason: string; warnings: string[] }
  /** Refused: the pod asked for the mesh but cannot be meshed safely; the message says why and how to fix it. */
  | { action: 'deny'; reason: string };

/** RFC 6901: `~` and `/` in a key are escaped as `~0` and `~1`. */
export const pointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

const ALL_CONTAINERS = (pod: V1Pod) => [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];

/** Appends `items` to the array at `path`, creating it when absent (a JSONPatch `add` to `/-` needs the array). */
function appendAll(path: string, existing: unknown[] | undefined, items: unknown[]): JsonPatchOp[] {
  if (!existing) return [{ op: 'add', path, value: items }];
  return items.map((value) => ({ op: 'add' as const, path: `${path}/-`, value }));
}

function annotate(pod: V1Pod, values: Record<string, string>): JsonPatchOp[] {
  if (!pod.metadata?.annotations) return [{ op: 'add', path: '/metadata/annotations', value: values }];
  return Object.entries(values).map(([k, v]) => ({ op: 'add' as const, path: `/metadata/annotations/${pointer(k)}`, value: v }));
}

/** The service name a pod has in the mesh: the annotation, else the `app` label, else its ServiceAccount. */
export function serviceOf(pod: V1Pod): string {
  return pod.metadata?.annotations?.[ANNOTATIONS.service] ?? pod.metadata?.labels?.app ?? pod.spec?.serviceAccountName ?? 'default';
}

export function injectPatch(pod: V1Pod, namespace: string, cfg: InjectorConfig): InjectResult {
  const ann = pod.metadata?.annotations ?? {};
  const proxyUid = cfg.proxyUid ?? PROXY_UID;
  if (ann[ANNOTATIONS.inject] !== 'enabled') {
    return { action: 'skip', patch: [], reason: `not opted in (annotation ${ANNOTATIONS.inject}: enabled is absent)`, warnings: [] };
  }
  if (ann[ANNOTATIONS.injected] || ALL_CONTAINERS(pod).some((c) => c.name === PROXY_CONTAINER || c.name === INIT_CONTAINER)) {
    return { action: 'skip', patch: [], reason: 'already injected', warnings: [] };
  }
  if (pod.spec?.hostNetwork) {
    // Interception rules would land in the node's own network namespace and capture every process on the node.
    const reason = 'hostNetwork pods share the node network namespace; the mesh will not install iptables rules there';
    return { action: 'skip', patch: annotate(pod, { [ANNOTATIONS.skipped]: reason }), reason, warnings: [`${PROXY_CONTAINER} not injected: ${reason}`] };
  }

  let skipIn: number[], skipOut: number[], opaque: number[];
  try {
    skipIn = parsePorts(ann[ANNOTATIONS.skipInboundPorts], ANNOTATIONS.skipInboundPorts);
    skipOut = parsePorts(ann[ANNOTATIONS.skipOutboundPorts], ANNOTATIONS.skipOutboundPorts);
    opaque = parsePorts(ann[ANNOTATIONS.opaquePorts], ANNOTATIONS.opaquePorts);
  } catch (err) {
    return { action: 'deny', reason: (err as Error).message };
  }
  const reserved = new Set([cfg.ports.inbound, cfg.ports.outbound, cfg.ports.admin]);
  for (const c of ALL_CONTAINERS(pod)) {
    const clash = (c.ports ?? []).find((p) => reserved.has(p.containerPort));
    if (clash) {
      return { action: 'deny', reason: `container "${c.name}" uses port ${clash.containerPort}, which the mesh proxy needs (${[...reserved].join(', ')}); move the app off it or do not opt the pod in` };
    }
    const uid = c.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
    if (uid === proxyUid) {
      return { action: 'deny', reason: `container "${c.name}" runs as uid ${proxyUid}, the mesh proxy's uid; its traffic would bypass the proxy. Run it as another uid` };
    }
  }

  const sa = pod.spec?.serviceAccountName ?? 'default';
  const identity = spiffeId(cfg.trustDomain, namespace, sa);
  const rules = interceptRules({
    proxyUid,
    inboundPort: cfg.ports.inbound,
    outboundPort: cfg.ports.outbound,
    skipInboundPorts: [cfg.ports.admin, ...skipIn],
    skipOutboundPorts: skipOut,
  });
  const readOnly = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, seccompProfile: { type: 'RuntimeDefault' } };
  const init: V1Container = {
    name: INIT_CONTAINER,
    image: cfg.proxyImage,
    imagePullPolicy: 'IfNotPresent',
    command: ['node', '/app/mesh-init.mjs'],
    args: ['--rules', JSON.stringify(rules)],
    // Root with only the two network capabilities it needs, for the life of this short container.
    securityContext: { ...readOnly, runAsUser: 0, runAsNonRoot: false, capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] } },
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
    // iptables takes its lock under /run; the root filesystem is read-only.
    volumeMounts: [{ name: 'mesh-run', mountPath: '/run' }],
  };
  const field = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });
  const httpProbe = (path: string, extra: Record<string, number>) => ({ httpGet: { path, port: cfg.ports.admin }, ...extra });
  const proxy: V1Container = {
    name: PROXY_CONTAINER,
    image: cfg.proxyImage,
    imagePullPolicy: 'IfNotPresent',
    restartPolicy: 'Always',
    env: [
      { name: 'MESH_POD_NAME', ...field('metadata.name') },
      { name: 'MESH_POD_NAMESPACE', ...field('metadata.namespace') },
      { name: 'MESH_POD_IP', ...field('status.podIP') },
      { name: 'MESH_HOST_IP', ...field('status.hostIP') },
      { name: 'MESH_SERVICE_ACCOUNT', ...field('spec.serviceAccountName') },
      { name: 'MESH_SERVICE', value: serviceOf(pod) },
      { name: 'MESH_CONTROL_PLANE', value: cfg.controlPlane },
      { name: 'MESH_CONTROL_PLANE_ID', value: cfg.controlPlaneId },
      { name: 'MESH_TRUST_ANCHOR', value: cfg.rootPem },
      { name: 'MESH_TOKEN_FILE', value: `${TOKEN_DIR}/token` },
      { name: 'MESH_RUN_DIR', value: RUN_DIR },
      { name: 'MESH_INBOUND_PORT', value: String(cfg.ports.inbound) },
      { name: 'MESH_OUTBOUND_PORT', value: String(cfg.ports.outbound) },
      { name: 'MESH_ADMIN_PORT', value: String(cfg.ports.admin) },
      { name: 'MESH_OPAQUE_PORTS', value: [...new Set([...DEFAULT_OPAQUE_PORTS, ...opaque])].join(',') },
    ],
    ports: [
      { name: 'mesh-inbound', containerPort: cfg.ports.inbound, protocol: 'TCP' },
      { name: 'mesh-admin', containerPort: cfg.ports.admin, protocol: 'TCP' },
    ],
    // Gates the rest of the pod: app containers start only once the proxy has a certificate and a config.
    startupProbe: httpProbe(PROXY_READY_PATH, { periodSeconds: 1, failureThreshold: 120 }),
    readinessProbe: httpProbe(PROXY_READY_PATH, { periodSeconds: 5 }),
    livenessProbe: httpProbe(PROXY_LIVE_PATH, { periodSeconds: 10 }),
    // Group = the pod's fsGroup when it has one: the kubelet gives that group the projected token and the emptyDir.
    securityContext: { ...readOnly, runAsUser: proxyUid, runAsGroup: pod.spec?.securityContext?.fsGroup ?? proxyUid, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    volumeMounts: [
      { name: 'mesh-token', mountPath: TOKEN_DIR, readOnly: true },
      { name: 'mesh-run', mountPath: RUN_DIR },
    ],
  };
  const volumes: V1Volume[] = [
    { name: 'mesh-token', projected: { sources: [{ serviceAccountToken: { audience: TOKEN_AUDIENCE, expirationSeconds: TOKEN_EXPIRATION_S, path: 'token' } }] } },
    { name: 'mesh-run', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } },
  ];

  const inits = pod.spec?.initContainers;
  const patch: JsonPatchOp[] = [
    // First, before any existing init container: those may call the network (Online Boutique's loadgenerator does).
    ...(inits ? [{ op: 'add' as const, path: '/spec/initContainers/0', value: init }, { op: 'add' as const, path: '/spec/initContainers/1', value: proxy }] : [{ op: 'add' as const, path: '/spec/initContainers', value: [init, proxy] }]),
    ...appendAll('/spec/volumes', pod.spec?.volumes, volumes),
    ...annotate(pod, { [ANNOTATIONS.injected]: cfg.version }),
  ];
  const warnings = (pod.spec?.containers ?? []).length > 1 ? [`pod has ${pod.spec!.containers.length} containers; all of them share the mesh proxy`] : [];
  return { action: 'inject', patch, identity, warnings };
}
