// Load in the cluster: a k6 Job in its own unmeshed namespace (the load generator is a client from outside the mesh,
// like ingress). The script, pinned image, run arguments and the parser are workloads/load/k6's; this file only
// shapes the Job: k6 runs as an init container writing points.json/summary.json into an emptyDir, then a holder
// container (same image) keeps the pod alive so the driver can read the files with `kubectl exec` — no log-size
// limits, no extra image — and deletes the Job afterwards.
import type { KubeObject } from '../../mesh-impls/types.ts';
import { k6RunArgs } from '../../workloads/load/k6/index.ts';

export const K6_DIR = '/work';
/** How long the holder waits for the driver to fetch the results. */
export const HOLD_S = 900;

export function k6Objects(o: { name: string; namespace: string; image: string; script: string; baseUrl: string; labels: Record<string, string>; timeoutS: number }): KubeObject[] {
  const hardening = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true };
  const mounts = [
    { name: 'work', mountPath: K6_DIR },
    { name: 'script', mountPath: `${K6_DIR}/script.js`, subPath: 'script.js', readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: o.name, namespace: o.namespace, labels: o.labels }, data: { 'script.js': o.script } },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: o.name, namespace: o.namespace, labels: o.labels },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: o.timeoutS + HOLD_S,
        ttlSecondsAfterFinished: 600,
        template: {
          metadata: { labels: { ...o.labels, app: 'meshbench-k6' } },
          spec: {
            restartPolicy: 'Never',
            securityContext: { runAsNonRoot: true, runAsUser: 12345, runAsGroup: 12345, fsGroup: 12345 },
            initContainers: [
              {
                name: 'k6',
                image: o.image,
                args: k6RunArgs(K6_DIR, o.baseUrl),
                resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '2Gi' } },
                securityContext: hardening,
                volumeMounts: mounts,
              },
            ],
            containers: [
              {
                name: 'results',
                image: o.image,
                command: ['sh', '-c', `test -s ${K6_DIR}/points.json -o -s ${K6_DIR}/summary.json && sleep ${HOLD_S}`],
                resources: { requests: { cpu: '10m', memory: '16Mi' } },
                securityContext: hardening,
                volumeMounts: mounts,
              },
            ],
            volumes: [
              { name: 'work', emptyDir: {} },
              { name: 'tmp', emptyDir: {} },
              { name: 'script', configMap: { name: o.name } },
            ],
          },
        },
      },
    },
  ];
}
