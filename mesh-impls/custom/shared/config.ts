// What the control plane pushes to every proxy over the watch stream, and what a proxy reports back. Both sides
// import these types; nothing here depends on the platform (netns or Kubernetes).
import type { MeshPolicy } from '../../types.ts';

export interface Endpoint {
  pod: string;
  ip: string;
  service: string;
  /** SPIFFE id of the pod's proxy; the outbound side requires the peer to present exactly this. */
  identity: string;
  ports: number[];
  /** Ports that skip protocol detection (server-speaks-first, e.g. Redis). */
  opaquePorts: number[];
  /** Plaintext health checks the node may make (kubelet-probe equivalents). */
  health?: { kind: 'http' | 'grpc' | 'tcp'; port: number; path?: string };
}

/**
 * A Service's virtual address (Kubernetes ClusterIP:port). Apps dial it, and the pod's REDIRECT hands the connection
 * to the proxy before kube-proxy translates it, so the proxy resolves it itself: `pods` (Endpoint.pod names) are the
 * candidates and `targetPort` the port to dial on the chosen one.
 */
export interface VirtualIp {
  ip: string;
  port: number;
  targetPort: number;
  /** The Service's name (may differ from its pods' mesh service, e.g. frontend-external). */
  service: string;
  pods: string[];
}

export interface Snapshot {
  version: number;
  trustDomain: string;
  /** The node address: health checks from it are admitted like kubelet probes. */
  nodeIp: string;
  endpoints: Endpoint[];
  policy: MeshPolicy;
  /** TLS between proxies; off only for the "mesh without mTLS" comparison profile. */
  mtls: boolean;
  /** Kubernetes only: Service addresses (the local platform resolves service names to pod IPs directly). */
  virtualIps?: VirtualIp[];
}

/** The static part of a proxy's configuration, written by the injector next to the bootstrap token. */
export interface ProxyBootstrap {
  pod: string;
  podIp: string;
  namespace: string;
  serviceAccount: string;
  service: string;
  /** https://ip:port of the control plane's proxy API. */
  controlPlane: string;
  /** SPIFFE id the control plane must present. */
  controlPlaneId: string;
  /** Trust anchor (root PEM) file. */
  rootFile: string;
  tokenFile: string;
  inboundPort: number;
  outboundPort: number;
  adminPort: number;
  /** Written (with the pod's identity) once the proxy has a certificate and a config. */
  readyFile: string;
  addonPath: string;
  /** How long SIGTERM waits for in-flight requests. */
  drainMs: number;
  /** Per-request timeout for proxied HTTP requests. */
  requestTimeoutMs: number;
  /** Admin server address (default 127.0.0.1; Kubernetes: 0.0.0.0, the kubelet probes /ready and /live on the pod IP). */
  adminListen?: string;
  /** The node address whose health checks are admitted (default: the snapshot's; Kubernetes: this pod's hostIP). */
  nodeIp?: string;
}

export const DEFAULT_PORTS = { inbound: 4143, outbound: 4140, admin: 4191, cpProxyApi: 8086, cpOperatorApi: 8085 } as const;
/** Ports that are always opaque, as in Linkerd's defaults (SMTP, MySQL, Postgres, Redis, memcached...). */
export const DEFAULT_OPAQUE_PORTS = [25, 587, 3306, 4444, 5432, 6379, 9300, 11211];

/** Latency histogram bucket upper bounds in ms (Prometheus `le`); the last bucket is +Inf. */
export const LATENCY_BUCKETS_MS = [0.5, 1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000, 10000];

/** One row of traffic a proxy has seen, cumulative since it started. */
export interface TrafficRow {
  direction: 'inbound' | 'outbound';
  /** The other side: caller SPIFFE id (inbound, '' if plaintext) or destination service (outbound). */
  peer: string;
  /** Inbound: the local port; outbound: the destination's SPIFFE id ('' if not meshed). */
  target: string;
  tls: boolean;
  requests: number;
  /** Responses that were not 5xx / gRPC errors of the server kind. */
  success: number;
  failure: number;
  denied: number;
  /** Counts per LATENCY_BUCKETS_MS bucket (+Inf last). */
  latency: number[];
  latencySumMs: number;
  tcpOpen: number;
  tcpClose: number;
  bytesIn: number;
  bytesOut: number;
}

export interface ProxyReport {
  pod: string;
  identity: string;
  at: number;
  startedAt: number;
  certNotAfter: number;
  configVersion: number;
  rows: TrafficRow[];
}
