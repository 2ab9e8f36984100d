// The Probe seam: one module per security property. A probe returns evidence for its outcome, and every probe has a
// test in which the property is absent and the probe fails.
import type { PlatformName, ProbeOutcome } from '../reports/schema.ts';
import type { MeshPolicy } from '../mesh-impls/types.ts';
import type { Workload, WorkloadService } from '../workloads/types.ts';
import type { LocalStack } from '../clusters/local/stack.ts';

export interface ProbeResult {
  outcome: ProbeOutcome;
  /** One sentence a reader of the report can act on. */
  summary: string;
  evidence: Record<string, unknown>;
}

/**
 * Which policy the runner puts in force before a probe runs: the mesh's out-of-the-box default, its strict profile
 * (mTLS required everywhere except the ingress entry), or deny-by-default allowing only the workload's call graph.
 */
export type PolicyProfile = 'default' | 'strict' | 'least-privilege';

export interface Probe<Ctx> {
  id: string;
  description: string;
  appliesTo(platform: PlatformName, mesh: string): boolean;
  run(ctx: Ctx): Promise<ProbeResult>;
  /** Probes that need the long profile (cert rotation). */
  longOnly?: boolean;
  /** Profiles this probe always runs under, one record each; omitted = the profile the caller asked for. */
  profiles?: readonly PolicyProfile[];
  /** Time budget; the runner records `error` when it is exceeded. Default 60 s. */
  timeoutMs?: number;
}

/** The part of a Workload the probes read: who the services are, where the entry is, and the legitimate calls. */
export type ProbeWorkload = Pick<Workload, 'name' | 'entry' | 'callGraph'> & {
  services: readonly Pick<WorkloadService, 'name' | 'serviceAccount' | 'ports'>[];
  journey?: Workload['journey'];
};

/**
 * What the probes need to know about a mesh and cannot discover on the wire. Every field is optional: a mesh that
 * declares nothing (the `none` baseline) is probed as it is, and the probes then fail where the property is absent.
 * A mesh may carry these on `mesh.local.probeFacts(stack, workload)`; probes/facts.ts holds the ones we write for it.
 */
export interface MeshProbeFacts {
  /** The identity a workload should carry, in the mesh's own format (SPIFFE URI, Linkerd identity name). */
  expectedIdentity?(service: ProbeWorkload['services'][number]): string;
  identityFormat?: 'spiffe' | 'linkerd';
  /** When the exact identity cannot be known in advance (Consul's trust domain is a cluster id): does `name` match? */
  identityMatches?(name: string, service: ProbeWorkload['services'][number]): boolean;
  /** PEM trust anchors: the root every workload certificate must chain to. */
  trustAnchorsPem?(): Promise<string>;
  /** Longest workload-certificate lifetime the mesh declares, in seconds. */
  maxCertLifetimeS?: number;
  /** Port on a pod where its proxy accepts mTLS from peers. Default: the service's first port (interception redirects it). */
  mtlsPort?(service: ProbeWorkload['services'][number]): number;
  /** ALPN protocols to offer when talking TLS to a proxy directly. */
  alpn?: string[];
  /** The workload certificate chain (leaf first, PEM), when it cannot be read from the wire. */
  workloadCertificatePem?(pod: string): Promise<string>;
  /** Admin/metrics endpoints of the proxies (as LocalMesh.adminEndpoints returns them). */
  adminEndpoints?: { pod: string; url: string }[];
  /** The mesh's out-of-the-box policy, re-applied after each probe. Default: all-unauthenticated, no rules. */
  defaultPolicy?: MeshPolicy;
  /** The strict profile. Default: all-authenticated, plaintext only for the ingress entry. */
  strictPolicy?: MeshPolicy;
  /** Uid probe clients run as inside meshed pods, so that the mesh's interception applies to them. Default 0. */
  clientUid?: number;
  /** cert-rotation: the longest the probe waits for a new serial (default: until the old certificate expires + 10 s, at most 20 min). */
  rotationWatchMs?: number;
}

/** Everything a probe needs on the local platform, independent of which mesh is under test. */
export interface LocalProbeContext {
  platform: 'local';
  mesh: string;
  /** False for the baseline: no proxy exists to carry identity or policy. */
  meshesPods: boolean;
  workload: ProbeWorkload;
  /** The stack the workload runs in; probes exec in its pods and add one unmeshed client pod to it. */
  stack: LocalStack;
  /** Where ingress traffic enters (http://ip:port), reached from the host like the load generator does. */
  entryUrl: string;
  facts: MeshProbeFacts;
  /** Switches the mesh's policy (the mesh's own applyPolicy). */
  applyPolicy(policy: MeshPolicy): Promise<void>;
  log?(line: string): void;
}
