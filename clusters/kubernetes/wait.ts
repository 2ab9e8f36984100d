// Readiness by watching, never by sleeping: list the namespace's workloads, then follow a watch from that list's
// resourceVersion until every Deployment/StatefulSet/DaemonSet is ready (or a Job/Pod finished).
import { kubeClient, type K8s } from './client.ts';

type Obj = { kind?: string; metadata: { name: string; generation?: number }; spec?: Record<string, any>; status?: Record<string, any> };

/** Whether a workload object is fully rolled out and ready. */
export function isReady(kind: string, o: Obj): boolean {
  const st = o.status ?? {};
  const want = o.spec?.replicas ?? 1;
  switch (kind) {
    case 'Deployment':
      return (st.observedGeneration ?? 0) >= (o.metadata.generation ?? 0) && (st.updatedReplicas ?? 0) >= want && (st.availableReplicas ?? 0) >= want && (st.unavailableReplicas ?? 0) === 0;
    case 'StatefulSet':
      return (st.observedGeneration ?? 0) >= (o.metadata.generation ?? 0) && (st.readyReplicas ?? 0) >= want;
    case 'DaemonSet':
      return (st.desiredNumberScheduled ?? 0) > 0 && st.numberReady === st.desiredNumberScheduled && (st.updatedNumberScheduled ?? 0) === st.desiredNumberScheduled;
    default:
      throw new Error(`isReady: unsupported kind ${kind}`);
  }
}

const KINDS = [
  { kind: 'Deployment', path: 'deployments' },
  { kind: 'StatefulSet', path: 'statefulsets' },
  { kind: 'DaemonSet', path: 'daemonsets' },
] as const;

/** Resolves when every workload in `namespace` is ready; rejects after `timeoutS` naming what is not. */
export async function waitNamespaceReady(kc: K8s.KubeConfig, namespace: string, timeoutS: number): Promise<void> {
  const k8s = await kubeClient();
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const state = new Map<string, boolean>();
  const versions: Record<string, string> = {};
  for (const { kind } of KINDS) {
    const list =
      kind === 'Deployment' ? await apps.listNamespacedDeployment({ namespace })
      : kind === 'StatefulSet' ? await apps.listNamespacedStatefulSet({ namespace })
      : await apps.listNamespacedDaemonSet({ namespace });
    versions[kind] = list.metadata?.resourceVersion ?? '';
    for (const o of list.items as Obj[]) state.set(`${kind}/${o.metadata.name}`, isReady(kind, o));
  }
  if (state.size === 0) throw new Error(`Namespace ${namespace} has no Deployments, StatefulSets or DaemonSets to wait for.`);
  const allReady = () => [...state.values()].every(Boolean);
  if (allReady()) return;
  const watch = new k8s.Watch(kc);
  const controllers: AbortController[] = [];
  let finished = false;
  // A watch that connects after we are done is aborted at once.
  const keep = (c: AbortController) => (finished ? c.abort() : controllers.push(c));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const waiting = [...state].filter(([, ok]) => !ok).map(([k]) => k);
        reject(new Error(`Not ready after ${timeoutS}s in namespace ${namespace}: ${waiting.join(', ')}. Look at \`kubectl -n ${namespace} get pods\` and \`kubectl -n ${namespace} describe\` of those objects.`));
      }, timeoutS * 1000);
      for (const { kind, path } of KINDS) {
        watch
          .watch(`/apis/apps/v1/namespaces/${namespace}/${path}`, { resourceVersion: versions[kind], allowWatchBookmarks: true }, (type, o: Obj) => {
            if (type === 'BOOKMARK') return;
            const key = `${kind}/${o.metadata.name}`;
            if (type === 'DELETED') state.delete(key);
            else state.set(key, isReady(kind, o));
            if (state.size > 0 && allReady()) {
              clearTimeout(timer);
              resolve();
            }
          }, (err) => {
            if (err && err.name !== 'AbortError') {
              clearTimeout(timer);
              reject(err);
            }
          })
          .then(keep, reject);
      }
    });
  } finally {
    finished = true;
    for (const c of controllers) c.abort();
  }
}

/** Resolves with the pod's phase once it is one of `phases`, watching it. */
export async function waitPodPhase<P extends string>(kc: K8s.KubeConfig, namespace: string, name: string, phases: readonly P[], timeoutS: number): Promise<P> {
  const k8s = await kubeClient();
  const watch = new k8s.Watch(kc);
  let controller: AbortController | undefined;
  let finished = false;
  try {
    return await new Promise<P>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Pod ${namespace}/${name} did not reach ${phases.join('/')} in ${timeoutS}s`)), timeoutS * 1000);
      watch
        .watch(`/api/v1/namespaces/${namespace}/pods`, { fieldSelector: `metadata.name=${name}` }, (_type, o: Obj) => {
          const phase = o.status?.phase as P | undefined;
          if (phase && phases.includes(phase)) {
            clearTimeout(timer);
            resolve(phase);
          }
        }, (err) => err && err.name !== 'AbortError' && reject(err))
        .then((c) => (finished ? c.abort() : (controller = c)), reject);
    });
  } finally {
    finished = true;
    controller?.abort();
  }
}

/** Resolves with the final phase of a pod (Succeeded/Failed). */
export function waitPodDone(kc: K8s.KubeConfig, namespace: string, name: string, timeoutS: number): Promise<'Succeeded' | 'Failed'> {
  return waitPodPhase(kc, namespace, name, ['Succeeded', 'Failed'] as const, timeoutS);
}
