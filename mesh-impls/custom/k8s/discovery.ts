// Discovery on Kubernetes: the control plane's endpoint list from EndpointSlices (which pods back which Service
// ports, ready or not) joined with the pods themselves (ServiceAccount → identity, injection, readiness probe →
// the health check the proxy admits from the node). Watched (list + watch, re-listing on a broken watch, see
// apiclient.ts); every change recomputes the list, debounced, and hands it to the control plane.
import type { V1EndpointSlice, V1Pod, V1Probe, V1Service } from '@kubernetes/client-node';
import type { ApiClient } from './apiclient.ts';
import type { Endpoint } from '../shared/config.ts';
import { spiffeId } from '../shared/pki.ts';
import { serviceOf } from './inject.ts';
import { parsePorts } from './iptables.ts';
import { ANNOTATIONS, PROXY_CONTAINER } from './constants.ts';

/** An endpoint plus what the control plane keys registrations by. */
export interface KubeEndpoint extends Endpoint {
  namespace: string;
  serviceAccount: string;
  uid: string;
}

const isMeshed = (p: V1Pod) =>
  !!p.metadata?.annotations?.[ANNOTATIONS.injected] && [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])].some((c) => c.name === PROXY_CONTAINER);

function health(pod: V1Pod): Endpoint['health'] {
  for (const c of pod.spec?.containers ?? []) {
    const probe: V1Probe | undefined = c.readinessProbe ?? c.livenessProbe;
    if (!probe) continue;
    const port = (p: number | string) => (typeof p === 'number' ? p : Number(c.ports?.find((x) => x.name === p)?.containerPort ?? p));
    if (probe.grpc) return { kind: 'grpc', port: probe.grpc.port };
    if (probe.httpGet) return { kind: 'http', port: port(probe.httpGet.port as number | string), path: probe.httpGet.path ?? '/' };
    if (probe.tcpSocket) return { kind: 'tcp', port: port(probe.tcpSocket.port as number | string) };
  }
  return undefined;
}

/** The meshed pods as endpoints. Pure: the informers' caches in, the control plane's list out. */
export function buildEndpoints(pods: readonly V1Pod[], slices: readonly V1EndpointSlice[], trustDomain: string): KubeEndpoint[] {
  // Pod uid → ports and opaque ports its Services send to it (EndpointSlice ports are the target ports).
  const bySlice = new Map<string, { ports: Set<number>; opaque: Set<number> }>();
  for (const s of slices) {
    for (const e of s.endpoints ?? []) {
      const uid = e.targetRef?.kind === 'Pod' ? e.targetRef.uid : undefined;
      if (!uid) continue;
      const entry = bySlice.get(uid) ?? { ports: new Set(), opaque: new Set() };
      for (const p of s.ports ?? []) {
        if (p.port === undefined || (p.protocol ?? 'TCP') !== 'TCP') continue;
        entry.ports.add(p.port);
        if (p.appProtocol === 'tcp' || p.name === 'tcp' || p.name?.startsWith('tcp-')) entry.opaque.add(p.port);
      }
      bySlice.set(uid, entry);
    }
  }
  const out: KubeEndpoint[] = [];
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    const uid = pod.metadata?.uid;
    if (!ip || !uid || !isMeshed(pod) || pod.metadata?.deletionTimestamp || ['Succeeded', 'Failed'].includes(pod.status?.phase ?? '')) continue;
    const ns = pod.metadata!.namespace ?? 'default';
    const sa = pod.spec?.serviceAccountName ?? 'default';
    const fromSlices = bySlice.get(uid);
    const containerPorts = (pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.containerPort));
    let annotated: number[] = [];
    try {
      annotated = parsePorts(pod.metadata?.annotations?.[ANNOTATIONS.opaquePorts], ANNOTATIONS.opaquePorts);
    } catch {
      // The injector refuses such pods; one edited afterwards keeps the slice-derived list rather than breaking discovery.
    }
    const h = health(pod);
    out.push({
      pod: pod.metadata!.name!,
      ip,
      service: serviceOf(pod),
      identity: spiffeId(trustDomain, ns, sa),
      ports: [...new Set([...(fromSlices?.ports ?? []), ...containerPorts])].sort((a, b) => a - b),
      opaquePorts: [...new Set([...(fromSlices?.opaque ?? []), ...annotated])].sort((a, b) => a - b),
      ...(h ? { health: h } : {}),
      namespace: ns,
      serviceAccount: sa,
      uid,
    });
  }
  return out.sort((a, b) => (a.namespace + a.pod).localeCompare(b.namespace + b.pod));
}

/**
 * A Service's virtual address as apps call it: kube-proxy would translate ClusterIP:port to a pod, but the proxy's
 * outbound listener sees the connection first (the iptables REDIRECT runs in the pod), so it must know that this
 * address means these pods at this target port.
 */
export interface KubeVirtualIp {
  ip: string;
  port: number;
  targetPort: number;
  /** The Service's name (which may differ from its pods' mesh service, e.g. frontend-external). */
  service: string;
  namespace: string;
  /** Pods behind it (Endpoint.pod names), ready or not. */
  pods: string[];
}

/** ClusterIP:port → target port and pods, from Services joined with their EndpointSlices by port name. */
export function buildVirtualIps(services: readonly V1Service[], slices: readonly V1EndpointSlice[]): KubeVirtualIp[] {
  const out: KubeVirtualIp[] = [];
  for (const svc of services) {
    const name = svc.metadata?.name;
    const ns = svc.metadata?.namespace ?? 'default';
    const ips = (svc.spec?.clusterIPs ?? [svc.spec?.clusterIP]).filter((ip): ip is string => !!ip && ip !== 'None');
    if (!name || !ips.length) continue;
    const mine = slices.filter((sl) => sl.metadata?.labels?.['kubernetes.io/service-name'] === name && (sl.metadata?.namespace ?? 'default') === ns);
    for (const p of svc.spec?.ports ?? []) {
      if ((p.protocol ?? 'TCP') !== 'TCP') continue;
      // The slice port with the Service port's name carries the resolved (numeric) target port.
      const slicePort = mine.flatMap((sl) => sl.ports ?? []).find((sp) => (sp.name ?? '') === (p.name ?? ''));
      const targetPort = slicePort?.port ?? (typeof p.targetPort === 'number' ? p.targetPort : p.port);
      const pods = [...new Set(mine.flatMap((sl) => (sl.endpoints ?? []).filter((e) => e.targetRef?.kind === 'Pod').map((e) => e.targetRef!.name!)))].sort();
      for (const ip of ips) out.push({ ip, port: p.port, targetPort, service: name, namespace: ns, pods });
    }
  }
  return out.sort((a, b) => `${a.ip}:${a.port}`.localeCompare(`${b.ip}:${b.port}`));
}

export interface DiscoveryOptions {
  trustDomain: string;
  onChange: (endpoints: KubeEndpoint[], virtualIps: KubeVirtualIp[]) => void;
  onError?: (err: unknown) => void;
  debounceMs?: number;
}

/** Watches pods, Services and EndpointSlices in every namespace and reports endpoints and virtual IPs on each change. */
export class KubeDiscovery {
  private pods: V1Pod[] = [];
  private slices: V1EndpointSlice[] = [];
  private services: V1Service[] = [];
  private timer?: NodeJS.Timeout;
  private last = '';
  private watches: { ready: Promise<void>; stop: () => void }[] = [];

  constructor(
    private api: ApiClient,
    private opts: DiscoveryOptions,
  ) {}

  /** The current lists from the watch caches. */
  endpoints(): KubeEndpoint[] {
    return buildEndpoints(this.pods, this.slices, this.opts.trustDomain);
  }

  virtualIps(): KubeVirtualIp[] {
    return buildVirtualIps(this.services, this.slices);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const list = this.endpoints();
      const vips = this.virtualIps();
      const key = JSON.stringify([list, vips]);
      if (key === this.last) return;
      this.last = key;
      this.opts.onChange(list, vips);
    }, this.opts.debounceMs ?? 100);
  }

  /** Resolves once every collection has been listed. */
  async start(): Promise<void> {
    const onError = (err: unknown) => this.opts.onError?.(err);
    this.watches = [
      this.api.listWatch<V1Pod>('/api/v1/pods', (items) => ((this.pods = items), this.schedule()), onError),
      this.api.listWatch<V1EndpointSlice>('/apis/discovery.k8s.io/v1/endpointslices', (items) => ((this.slices = items), this.schedule()), onError),
      this.api.listWatch<V1Service>('/api/v1/services', (items) => ((this.services = items), this.schedule()), onError),
    ];
    await Promise.all(this.watches.map((w) => w.ready));
  }

  stop(): void {
    clearTimeout(this.timer);
    for (const w of this.watches) w.stop();
  }
}
