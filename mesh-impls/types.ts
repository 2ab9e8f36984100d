// The Mesh seam: one object per contender. Each platform family has its own optional part, so a mesh declares
// exactly where it can run (custom: local + Kubernetes; Linkerd and Consul: Kubernetes only; none: everywhere).
import type { PlatformName } from '../reports/schema.ts';
import type { Workload, WorkloadService } from '../workloads/types.ts';
import type { LocalStack, LocalPod } from '../clusters/local/stack.ts';

/** Default inbound policy, in Linkerd's vocabulary (the custom mesh uses the same words). */
export type DefaultPolicy = 'all-unauthenticated' | 'all-authenticated' | 'deny';

/** Who may call a service: identities (service accounts of meshed callers), or unauthenticated clients. */
export interface AllowRule {
  /** Service receiving the call. */
  to: string;
  port: number;
  /** Service accounts allowed; '*unauthenticated*' admits plaintext/unmeshed clients (ingress, node probes). */
  from: readonly string[];
  /** gRPC full method names (`/hipstershop.PaymentService/Charge`) or HTTP path prefixes; empty = any. */
  methods?: readonly string[];
}

export interface MeshPolicy {
  default: DefaultPolicy;
  allow: readonly AllowRule[];
}

export const UNAUTHENTICATED = '*unauthenticated*';

/** Builds the least-privilege policy for a workload: deny by default, allow its call graph and the ingress entry. */
export function leastPrivilegePolicy(workload: Workload): MeshPolicy {
  const sa = (service: string) => workload.services.find((s) => s.name === service)?.serviceAccount ?? service;
  const allow: AllowRule[] = workload.callGraph.map((e) => ({ to: e.to, port: e.port, from: [sa(e.from)], methods: e.methods }));
  allow.push({ to: workload.entry.service, port: workload.entry.port, from: [UNAUTHENTICATED] });
  return { default: 'deny', allow };
}

export interface MeshVerification {
  ok: boolean;
  pods: { pod: string; meshed: boolean; detail: string }[];
}

/** A mesh on the local platform: it shares each pod's namespace, like a sidecar. */
export interface LocalMesh {
  /** Starts the control plane (in pods of its own) before any workload pod starts. Returns install steps taken. */
  install(stack: LocalStack, workload: Workload): Promise<{ steps: number; objects: number }>;
  /** Called for each workload pod after it exists and before its app starts: iptables rules, sidecar process. */
  inject(stack: LocalStack, pod: LocalPod, service: WorkloadService): Promise<void>;
  /** After the apps are healthy: is every pod meshed (sidecar up, identity issued, traffic intercepted)? */
  verify(stack: LocalStack, workload: Workload): Promise<MeshVerification>;
  applyPolicy(stack: LocalStack, policy: MeshPolicy): Promise<void>;
  /** Addresses of the admin/metrics endpoints, for probes and the operator CLI. */
  adminEndpoints?(stack: LocalStack): { pod: string; url: string }[];
}

export interface Mesh {
  name: string;
  description: string;
  supports(platform: PlatformName): boolean;
  /** Version strings recorded in results.json meta. */
  versions(platform: PlatformName): Promise<Record<string, string>>;
  /** Whether the mesh meshes pods at all (false only for the baseline). */
  meshesPods: boolean;
  local?: LocalMesh;
  // kube?: KubeMesh — the Kubernetes part, added with the kind/kubernetes platforms.
}
