// kind: pinned release and node image, one cluster per mesh, created and deleted by the run.
import { fileURLToPath } from 'node:url';

/** kind v0.33.0 (newest release seen, 2026-11); its release notes list the node images built for it. */
export const KIND_VERSION = 'v0.33.0';
/** Kubernetes 1.35 (Linkerd 2.20 supports 1.31–1.35, facts.md §2), the digest from kind v0.33.0's release notes. */
export const KIND_NODE_IMAGE = 'kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0';
export const KIND_CONFIG = fileURLToPath(new URL('./cluster.yaml', import.meta.url));
/** Every cluster meshbench creates starts with this; `sweep` only ever deletes clusters with this prefix. */
export const KIND_PREFIX = 'meshbench-';

export function kindClusterName(mesh: string, runId: string): string {
  // kind names become Docker container names and kubeconfig contexts: keep them short and DNS-safe.
  return `${KIND_PREFIX}${mesh}-${runId}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40);
}

export function kindCreateArgs(name: string, kubeconfig: string): string[] {
  return ['create', 'cluster', '--name', name, '--image', KIND_NODE_IMAGE, '--config', KIND_CONFIG, '--kubeconfig', kubeconfig, '--wait', '120s'];
}

export function kindDeleteArgs(name: string, kubeconfig: string): string[] {
  return ['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfig];
}
