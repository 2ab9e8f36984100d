// Registry of contenders. Each lives in its own folder with an index.ts whose default export is a Mesh.
import type { Mesh } from './types.ts';
import type { PlatformName } from '../reports/schema.ts';

export const MESH_NAMES = ['none', 'custom', 'linkerd', 'consul'] as const;
export type MeshName = (typeof MESH_NAMES)[number];

export async function loadMesh(name: string): Promise<Mesh> {
  if (!(MESH_NAMES as readonly string[]).includes(name)) {
    throw new Error(`Unknown mesh "${name}". Accepted: ${MESH_NAMES.join(', ')}.`);
  }
  const mod = (await import(`./${name}/index.ts`)) as { default: Mesh };
  return mod.default;
}

/** Meshes that run on a platform, in registry order. */
export async function meshesFor(platform: PlatformName): Promise<string[]> {
  const out: string[] = [];
  for (const name of MESH_NAMES) {
    try {
      if ((await loadMesh(name)).supports(platform)) out.push(name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    }
  }
  return out;
}
