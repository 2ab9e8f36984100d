// @kubernetes/client-node, loaded only when a cluster is actually contacted (rendering, --dry-run and most tests
// never pay for it). package.json overrides its undici 8 (Node 22 only) with the project's undici 7, so it runs on
// Node 20 as well.
import type * as K8s from '@kubernetes/client-node';

export type { K8s };

export function kubeClient(): Promise<typeof K8s> {
  return import('@kubernetes/client-node');
}
