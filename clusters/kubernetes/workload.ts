// Kubernetes forms of workloads: `workloads/<name>/k8s/index.ts`. Only Online Boutique has one (pingpong is local-only).
import type { KubeContext, KubeObject, KubeWorkloadInfo, KubeWorkloadPatch } from '../../mesh-impls/types.ts';

export interface KubeWorkload {
  info(): KubeWorkloadInfo;
  render(opts: { ctx: KubeContext; patch?: KubeWorkloadPatch }): KubeObject[];
}

export async function loadKubeWorkload(name: string): Promise<KubeWorkload> {
  if (name === 'online-boutique') {
    const m = await import('../../workloads/online-boutique/k8s/index.ts');
    return { info: m.boutiqueInfo, render: m.renderBoutique };
  }
  throw new Error(`Workload "${name}" has no Kubernetes form (workloads/${name}/k8s/). On kind/kubernetes use --workload online-boutique.`);
}
