// The Mesh seam: one object per contender. Each platform family has its own optional part, so a mesh declares
// exactly where it can run (custom: local + Kubernetes; Linkerd and Consul: Kubernetes only; none: everywhere).
import type { PlatformName } from '../reports/schema.ts';
import type { CallEdge, Workload, WorkloadService } from '../workloads/types.ts';
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
  /** The Kubernetes part (kind and existing clusters): a plan the platform driver executes or prints (--dry-run). */
  kube?: KubeMesh;
}

// ---- Kubernetes ---------------------------------------------------------------------------------------------------
// A mesh on Kubernetes is data plus small functions: the driver runs the steps (or prints them for --dry-run), applies
// the objects and judges the outputs with the mesh's own functions. Nothing here talks to a cluster by itself.

/** A Kubernetes object as plain data (what `kubectl apply` takes). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Command-line tools the driver provides, pinned and checksummed (clusters/kubernetes/tools.ts). */
export type KubeTool = 'kubectl' | 'helm' | 'linkerd' | 'kind';

/** What a mesh's Kubernetes functions know about the run. */
export interface KubeContext {
  platform: 'kind' | 'kubernetes';
  /** Namespace of the workload (one per run on an existing cluster). */
  namespace: string;
  /** Short id of this run; objects the run creates carry it in the `meshbench.io/run` label. */
  runId: string;
  /** The workload being deployed (its entry is reached by unmeshed clients: the load generator, ingress). */
  workload: KubeWorkloadInfo;
  /** Files generated for this run (certificates, values), by name; absent in --dry-run (shown as placeholders). */
  generated?: Record<string, string>;
}

/** What a mesh needs to know about one service on Kubernetes (a WorkloadService satisfies it). */
export interface KubeServiceInfo {
  name: string;
  serviceAccount: string;
  /** Service ports; `targetPort` is the container port when it differs from the Service port. */
  ports: readonly (WorkloadService['ports'][number] & { targetPort?: number })[];
}

/** What a mesh needs to know about a workload on Kubernetes (a Workload satisfies it). */
export interface KubeWorkloadInfo {
  name: string;
  services: readonly KubeServiceInfo[];
  callGraph: readonly CallEdge[];
  entry: Workload['entry'];
}

/** A generated file the install needs (trust anchors, keys): produced at run time, never printed. */
export interface KubeGeneratedFile {
  name: string;
  description: string;
  generate(): Promise<string> | string;
}

export type KubeStep =
  /** Run a tool. `{file:NAME}` in args is replaced by the path of a `files`/generated file. `apply`: pipe stdout to `kubectl apply -f -`. */
  | {
      do: 'run';
      title: string;
      tool: KubeTool;
      args: readonly string[];
      files?: Record<string, string>;
      apply?: boolean;
      /** Pipe stdout to `kubectl delete -f -` (uninstall). */
      delete?: boolean;
      /** Judges the output (e.g. `linkerd check -o json`); throws or returns a failure detail. */
      judge?: (stdout: string) => { ok: boolean; detail: string };
    }
  /** Apply objects (server-side apply), then wait until they exist. */
  | { do: 'apply'; title: string; objects: readonly KubeObject[] }
  /** Apply a published manifest by URL (e.g. Gateway API CRDs), pinned by sha256 of the file. */
  | { do: 'apply-url'; title: string; url: string; sha256?: string }
  /** Wait (watch) until every Deployment/StatefulSet/DaemonSet in the namespace is ready, and every CRD established. */
  | { do: 'wait-ready'; title: string; namespace: string; timeoutS: number };

/** Per-mesh changes to the workload's rendered objects (the workload renderer applies these). */
export interface KubeWorkloadPatch {
  /** Labels/annotations for the workload namespace (e.g. injection on). */
  namespaceLabels?: Record<string, string>;
  namespaceAnnotations?: Record<string, string>;
  /** Annotations for the pod template of one service (injection, opaque ports, excluded ports). */
  podAnnotations?(service: KubeServiceInfo, ctx: KubeContext): Record<string, string>;
  /** Annotations for the Service object of one service. */
  serviceAnnotations?(service: KubeServiceInfo, ctx: KubeContext): Record<string, string>;
  /** Set each Service port's `appProtocol` from the workload's port protocol (http, kubernetes.io/h2c for gRPC, tcp). */
  appProtocol?: boolean;
  /** Every pod is selected by exactly one Service: extra Services (Online Boutique's frontend-external) are dropped. */
  oneServicePerPod?: boolean;
  /** Last word: any other change (the custom mesh adds its sidecar here). */
  objects?(objects: KubeObject[], ctx: KubeContext): KubeObject[];
}

/** A command the driver runs on the host, not against a cluster (building the images a kind install then loads). */
export interface KubeHostCommand {
  title: string;
  cmd: 'docker';
  args: readonly string[];
  /** Working directory (the build context). */
  cwd: string;
}

export interface KubeMesh {
  /** Pinned versions of what the mesh installs (chart, CLI, images), recorded in results.json. */
  versions: Record<string, string>;
  /** Tools the install needs besides kubectl. */
  tools: readonly KubeTool[];
  /** Files generated at run time (certificates). */
  generatedFiles?: readonly KubeGeneratedFile[];
  /** Namespaces the control plane lives in (containers there are counted as control-plane resources). */
  controlPlaneNamespaces: readonly string[];
  /** Container names of the data-plane proxy in a meshed pod (container or native-sidecar init container). */
  proxyContainers: readonly string[];
  /** kind: host commands run once per bench process, before the first cluster of this mesh is created (image builds). */
  hostBuild?: readonly KubeHostCommand[];
  /** Cluster-wide install, in the documented order. Runs once per cluster (kind: one cluster per mesh). */
  install(ctx: KubeContext): KubeStep[];
  patch: KubeWorkloadPatch;
  /** Mesh configuration objects for the workload applied before it (Consul ServiceDefaults: protocol per service). */
  workloadObjects?(workload: KubeWorkloadInfo, ctx: KubeContext): KubeObject[];
  /** Objects enforcing a policy for the workload (applied into ctx.namespace). */
  policy(policy: MeshPolicy, workload: KubeWorkloadInfo, ctx: KubeContext): KubeObject[];
  /** The mesh's own verification after the workload is ready (e.g. `linkerd check --proxy`). */
  verify(ctx: KubeContext): KubeStep[];
  /** Reverses install on an existing cluster (kind clusters are simply deleted). */
  uninstall(ctx: KubeContext): KubeStep[];
}
