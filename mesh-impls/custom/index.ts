// The custom mesh: our own TypeScript proxy and control plane (see README.md in this folder).
// Profiles for comparisons and security probes:
//   strict      — mTLS on, default all-authenticated plus least-privilege allow rules from the workload's call graph
//   permissive  — mTLS on, default all-unauthenticated (Linkerd's default)
//   mtls-off    — proxies in place but plaintext between them, default all-unauthenticated
import type { Mesh, MeshPolicy } from '../types.ts';
import { leastPrivilegePolicy } from '../types.ts';
import type { Workload } from '../../workloads/types.ts';
import { CustomLocalMesh, type CustomMeshOptions } from './local.ts';
import { customKubeMesh } from './k8s/kube-mesh.ts';

export type CustomProfile = 'strict' | 'permissive' | 'mtls-off';
export const CUSTOM_PROFILES: readonly CustomProfile[] = ['strict', 'permissive', 'mtls-off'];
export const VERSION = '0.1.0';

/** The strict profile's policy: authenticated by default, and exactly the workload's call graph on the ports it names. */
export function strictPolicy(workload: Workload): MeshPolicy {
  return { default: 'all-authenticated', allow: leastPrivilegePolicy(workload).allow };
}

export function profilePolicy(profile: CustomProfile, workload: Workload): { policy: MeshPolicy; mtls: boolean } {
  switch (profile) {
    case 'strict':
      return { policy: strictPolicy(workload), mtls: true };
    case 'permissive':
      return { policy: { default: 'all-unauthenticated', allow: [] }, mtls: true };
    case 'mtls-off':
      return { policy: { default: 'all-unauthenticated', allow: [] }, mtls: false };
  }
}

export interface CustomMeshConfig extends Partial<Omit<CustomMeshOptions, 'initialPolicy'>> {
  profile?: CustomProfile;
}

/** A custom mesh with the given profile (default: MESHBENCH_CUSTOM_PROFILE or permissive). */
export function createCustomMesh(config: CustomMeshConfig = {}): Mesh & { local: CustomLocalMesh; profile: CustomProfile } {
  const profile = config.profile ?? (process.env.MESHBENCH_CUSTOM_PROFILE as CustomProfile | undefined) ?? 'permissive';
  if (!CUSTOM_PROFILES.includes(profile)) throw new Error(`Unknown custom mesh profile "${profile}". Accepted: ${CUSTOM_PROFILES.join(', ')}.`);
  const local = new CustomLocalMesh({
    trustDomain: config.trustDomain ?? 'meshbench.local',
    namespace: config.namespace ?? 'default',
    certLifetimeMs: config.certLifetimeMs ?? 24 * 3600_000,
    requestTimeoutMs: config.requestTimeoutMs ?? 10_000,
    drainMs: config.drainMs ?? 2_500,
    initialPolicy: (w) => profilePolicy(profile, w),
  });
  // On Kubernetes the profile is a MeshPolicy object in mesh-system; the platform hands over a KubeWorkloadInfo,
  // which carries everything leastPrivilegePolicy reads (services, callGraph, entry).
  const kube = customKubeMesh({ profile: (w) => profilePolicy(profile, w as unknown as Workload) });
  return {
    name: 'custom',
    description: `Our TypeScript mesh (proxy + control plane), profile ${profile}`,
    supports: (platform) => platform === 'local' || platform === 'kind' || platform === 'kubernetes',
    // On Kubernetes the images' tags too (the node version there is the image's, pinned by digest in its Dockerfile).
    versions: async (platform) => ({ custom: VERSION, profile, ...(platform === 'local' ? { node: process.version } : kube.versions) }),
    meshesPods: true,
    local,
    kube,
    profile,
  };
}

export default createCustomMesh();
