// Per-container CPU and memory from the kubelet summary API (GET /api/v1/nodes/<node>/proxy/stats/summary, format
// k8s.io/kubelet/pkg/apis/stats/v1alpha1 Summary): pods[].containers[].cpu.usageCoreNanoSeconds (cumulative) and
// memory.rssBytes / workingSetBytes. Samples taken during a window become ProcessResources: mean CPU from the
// cumulative counter over the window, peak CPU from the steepest interval, peak RSS.
import type { ProcessResources } from '../../reports/schema.ts';

export interface ContainerSample {
  namespace: string;
  pod: string;
  container: string;
  /** Epoch ms of the CPU reading. */
  atMs: number;
  cpuCoreNanoSeconds: number;
  rssBytes: number;
}

interface Summary {
  node?: { nodeName?: string };
  pods?: {
    podRef: { name: string; namespace: string };
    containers?: { name: string; cpu?: { time?: string; usageCoreNanoSeconds?: number }; memory?: { time?: string; rssBytes?: number; workingSetBytes?: number } }[];
  }[];
}

export function parseKubeletSummary(json: string): ContainerSample[] {
  let data: Summary;
  try {
    data = JSON.parse(json) as Summary;
  } catch {
    throw new Error(`kubelet summary is not JSON: ${json.slice(0, 120)}`);
  }
  if (!Array.isArray(data.pods)) throw new Error('kubelet summary has no "pods" list (is this /stats/summary?)');
  const out: ContainerSample[] = [];
  for (const pod of data.pods) {
    for (const c of pod.containers ?? []) {
      // A container that just started may not report CPU yet; skip it rather than invent a zero.
      if (c.cpu?.usageCoreNanoSeconds === undefined || !c.cpu.time) continue;
      out.push({
        namespace: pod.podRef.namespace,
        pod: pod.podRef.name,
        container: c.name,
        atMs: Date.parse(c.cpu.time),
        cpuCoreNanoSeconds: c.cpu.usageCoreNanoSeconds,
        rssBytes: c.memory?.rssBytes ?? c.memory?.workingSetBytes ?? 0,
      });
    }
  }
  return out;
}

export type RoleOf = (s: Pick<ContainerSample, 'namespace' | 'pod' | 'container'>) => ProcessResources['role'] | undefined;

/** Folds samples (any order, several polls) into one record per container; `roleOf` undefined drops a container. */
export function resourcesFromSamples(samples: readonly ContainerSample[], roleOf: RoleOf, fromMs = -Infinity, toMs = Infinity): ProcessResources[] {
  const byContainer = new Map<string, ContainerSample[]>();
  for (const s of samples) {
    if (s.atMs < fromMs || s.atMs > toMs) continue;
    const key = `${s.namespace}/${s.pod}/${s.container}`;
    const list = byContainer.get(key) ?? [];
    // The kubelet caches stats (~10-15 s); repeated readings with the same timestamp add nothing.
    if (!list.some((x) => x.atMs === s.atMs)) list.push(s);
    byContainer.set(key, list);
  }
  const out: ProcessResources[] = [];
  for (const list of byContainer.values()) {
    const role = roleOf(list[0]);
    if (!role) continue;
    list.sort((a, b) => a.atMs - b.atMs);
    let peak = 0;
    for (let i = 1; i < list.length; i++) {
      const dt = (list[i].atMs - list[i - 1].atMs) * 1e6;
      const used = list[i].cpuCoreNanoSeconds - list[i - 1].cpuCoreNanoSeconds;
      if (dt > 0 && used >= 0) peak = Math.max(peak, used / dt);
    }
    const first = list[0];
    const last = list[list.length - 1];
    const span = (last.atMs - first.atMs) * 1e6;
    const mean = span > 0 ? Math.max(0, last.cpuCoreNanoSeconds - first.cpuCoreNanoSeconds) / span : 0;
    out.push({
      pod: first.pod,
      process: first.container,
      role,
      cpuMeanCores: mean,
      cpuPeakCores: Math.max(peak, mean),
      rssPeakBytes: Math.max(...list.map((s) => s.rssBytes)),
      samples: list.length,
    });
  }
  return out.sort((a, b) => a.pod.localeCompare(b.pod) || a.process.localeCompare(b.process));
}
