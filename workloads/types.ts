// A workload: the services to deploy, how each starts on the local platform, its call graph and its user journey.
import type { Journey } from './load/journey.ts';

export type PortProtocol = 'http' | 'grpc' | 'tcp';

export interface ServicePort {
  name: string;
  port: number;
  protocol: PortProtocol;
  /** Server-speaks-first or otherwise undetectable (Redis): meshes must treat it as opaque TCP. */
  opaque?: boolean;
}

export type HealthCheck =
  | { kind: 'http'; port: number; path: string }
  | { kind: 'grpc'; port: number }
  | { kind: 'tcp'; port: number };

/** A process to start inside a pod. `cmd` is resolved on the host's PATH. */
export interface ProcessSpec {
  name: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  /** Run as this uid (a mesh's iptables rules exempt the proxy's uid). */
  uid?: number;
  cwd?: string;
}

export interface WorkloadService {
  /** Service DNS name; also the pod name (one pod per service). */
  name: string;
  serviceAccount: string;
  ports: readonly ServicePort[];
  health: HealthCheck;
  /** How the service runs on the local platform; `addr(service)` gives `name:port` of a peer. */
  local(ctx: { addr(service: string): string; dataDir: string }): ProcessSpec;
}

/** A legitimate call: `from` (a service) calls `to` (a service), optionally only these gRPC methods / HTTP paths. */
export interface CallEdge {
  from: string;
  to: string;
  port: number;
  methods?: readonly string[];
}

export interface Workload {
  name: string;
  description: string;
  services: readonly WorkloadService[];
  /** Where load enters: an HTTP port of one service, reached from outside the mesh (ingress). */
  entry: { service: string; port: number; healthPath: string };
  journey: Journey;
  callGraph: readonly CallEdge[];
}
