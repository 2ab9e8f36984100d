// @kubernetes/client-node, loaded only when a cluster is actually contacted: version 2.x ships undici 8, which needs
// Node.js ≥ 22 (zstd in node:zlib). Rendering, --dry-run and the tests stay usable on Node 20.
import type * as K8s from '@kubernetes/client-node';

export type { K8s };

export const MIN_NODE_MAJOR = 22;

export function nodeTooOld(version = process.versions.node): boolean {
  return Number(version.split('.')[0]) < MIN_NODE_MAJOR;
}

export async function kubeClient(): Promise<typeof K8s> {
  if (nodeTooOld()) {
    throw new Error(`Talking to a Kubernetes cluster needs Node.js ${MIN_NODE_MAJOR} or newer (@kubernetes/client-node 2.x); this is Node.js ${process.versions.node}. Fix: run the bench with Node.js ${MIN_NODE_MAJOR} (e.g. \`nvm use 22\`).`);
  }
  return import('@kubernetes/client-node');
}
