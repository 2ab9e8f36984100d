// Shared by the custom mesh's Kubernetes tests: the injector config and the Online Boutique pods as the API server
// would send them to the webhook (rendered by the workload with the custom mesh's patch hook).
import type { V1Pod } from '@kubernetes/client-node';
import { renderBoutique, boutiqueInfo } from '../../../workloads/online-boutique/k8s/index.ts';
import type { KubeContext, KubeObject } from '../../types.ts';
import type { InjectorConfig } from './inject.ts';
import { customKubeMesh } from './kube-mesh.ts';

export const ctx: KubeContext = { platform: 'kind', namespace: 'boutique', runId: 'r1', workload: boutiqueInfo() };

export const CFG: InjectorConfig = {
  proxyImage: 'meshbench/custom-proxy:test',
  trustDomain: 'cluster.local',
  controlPlane: 'https://meshcp.mesh-system.svc:8086',
  controlPlaneId: 'spiffe://cluster.local/ns/mesh-system/sa/meshcp',
  rootPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  version: '0.1.0',
  ports: { inbound: 4143, outbound: 4140, admin: 4191 },
};

/**
 * The Pod a Deployment's ReplicaSet creates: template metadata + spec. (The webhook may see an empty name, since the
 * API server resolves generateName later; a name is set here so the patched pod can be schema-validated.)
 */
export function podOf(deployment: KubeObject): V1Pod {
  const t = (deployment.spec as { template: { metadata: V1Pod['metadata']; spec: V1Pod['spec'] } }).template;
  const name = deployment.metadata.name;
  return structuredClone({ apiVersion: 'v1', kind: 'Pod', metadata: { ...t.metadata, name: `${name}-5f7c9d8b6-x2x7q`, generateName: `${name}-5f7c9d8b6-`, namespace: ctx.namespace }, spec: t.spec });
}

export const boutiqueObjects = (): KubeObject[] => renderBoutique({ ctx, patch: customKubeMesh().patch });
export const boutiquePods = (): V1Pod[] => boutiqueObjects().filter((o) => o.kind === 'Deployment').map(podOf);
