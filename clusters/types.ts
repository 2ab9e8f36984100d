// The Platform seam. A platform driver deploys a workload with a mesh and hands back a Deployment: the one object the
// run model talks to, whether pods are network namespaces on this host or pods in a Kubernetes cluster.
import type { PlatformName, ProcessResources } from '../reports/schema.ts';
import type { Mesh, MeshPolicy, MeshVerification } from '../mesh-impls/types.ts';
import type { Workload } from '../workloads/types.ts';
import type { LoadPlan, LoadResult } from '../workloads/load/types.ts';

export interface DeployedPod {
  name: string;
  service: string;
  ip: string;
  ports: number[];
}

export interface DeployOptions {
  /** Folder of this run: logs go to `<runDir>/logs/<mesh>-rep<N>/`. */
  runDir: string;
  rep: number;
  log: (line: string) => void;
  /** Leave the stack running after this process exits (`npm run up`). */
  detached?: boolean;
}

/** Measures resources over a window: start before the load, stop after; returns one entry per process/container. */
export interface ResourceWindow {
  stop(fromMs: number, toMs: number): Promise<ProcessResources[]>;
}

export interface Deployment {
  platform: PlatformName;
  mesh: string;
  workload: string;
  pods: DeployedPod[];
  /** The HTTP entry of the workload as the load generator reaches it. */
  entryUrl: string;
  /** Install cost, measured during deploy. */
  install: { timeToReadyMs: number; steps: number; objects: number; crds: number };
  verification: MeshVerification;
  /** Drives load from where this platform's load generator runs (host engine locally, k6 Job in a cluster). */
  load(plan: Omit<LoadPlan, 'baseUrl'>): Promise<LoadResult>;
  startResources(): ResourceWindow;
  applyPolicy(policy: MeshPolicy): Promise<void>;
  /** Last lines of the logs, for failure records. */
  logExcerpt(lines?: number): Promise<string>;
  teardown(): Promise<void>;
}

export interface PlatformDriver {
  name: PlatformName;
  /** Checks everything the platform needs before any work starts; throws a message that says what is missing and how to get it. */
  preflight(): Promise<void>;
  /** Removes what an earlier killed run left. */
  sweep(): Promise<void>;
  deploy(workload: Workload, mesh: Mesh, opts: DeployOptions): Promise<Deployment>;
  /** Versions of the tools this platform uses (recorded in results.json). */
  toolVersions(): Promise<Record<string, string>>;
}
