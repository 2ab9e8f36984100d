// Building the custom mesh's images: a host command plan for the kind driver, run once before the first custom
// deploy (before any cluster exists is fine). Loading them into a cluster is part of the mesh's install plan
// (KubeMesh.install on kind: `kind load docker-image`), so --dry-run shows it. The images never go to a registry:
// the manifests use a fixed non-latest tag with imagePullPolicy IfNotPresent.
import type { ImageNames } from './constants.ts';
import { DEFAULT_IMAGES } from './constants.ts';

export interface HostCommand {
  title: string;
  cmd: 'docker';
  args: string[];
  /** Working directory: the repository root (the build context). */
  cwd: string;
}

export const DOCKERFILES = {
  proxy: 'mesh-impls/custom/k8s/images/proxy.Dockerfile',
  controlPlane: 'mesh-impls/custom/k8s/images/control-plane.Dockerfile',
} as const;

/** `docker build` of both images from the repository root (BuildKit: each Dockerfile has its own .dockerignore). */
export function imageBuildPlan(o: { repoRoot: string; images?: ImageNames }): HostCommand[] {
  const images = o.images ?? DEFAULT_IMAGES;
  return (['proxy', 'controlPlane'] as const).map((what) => ({
    title: `Build ${images[what]} (${DOCKERFILES[what]})`,
    cmd: 'docker',
    args: ['build', '--file', DOCKERFILES[what], '--tag', images[what], '.'],
    cwd: o.repoRoot,
  }));
}
