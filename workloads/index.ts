// Registry of workloads. Each lives in its own folder with an index.ts whose default export is a Workload.
import type { Workload } from './types.ts';

export const WORKLOAD_NAMES = ['online-boutique', 'pingpong'] as const;

export async function loadWorkload(name: string): Promise<Workload> {
  if (!(WORKLOAD_NAMES as readonly string[]).includes(name)) {
    throw new Error(`Unknown workload "${name}". Accepted: ${WORKLOAD_NAMES.join(', ')}.`);
  }
  const mod = (await import(`./${name}/index.ts`)) as { default: Workload };
  return mod.default;
}
