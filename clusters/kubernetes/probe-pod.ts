// A short-lived pod that runs one probe command (the probes define the image and command) and exits; its logs are
// the evidence. `meshed` decides whether the mesh may inject it (a probe acting as an in-mesh or outside attacker).
import type { KubeObject } from '../../mesh-impls/types.ts';

export interface ProbePodSpec {
  name: string;
  namespace: string;
  image: string;
  command: readonly string[];
  /** Run as this ServiceAccount (an identity in the mesh); default: the namespace's default account. */
  serviceAccount?: string;
  /** false: opt out of injection explicitly (Linkerd and Consul annotations), true: let the namespace decide. */
  meshed: boolean;
  labels: Record<string, string>;
  timeoutS?: number;
}

export function probePod(s: ProbePodSpec): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: s.name,
      namespace: s.namespace,
      labels: { ...s.labels, app: 'meshbench-probe' },
      ...(s.meshed ? {} : { annotations: { 'linkerd.io/inject': 'disabled', 'consul.hashicorp.com/connect-inject': 'false' } }),
    },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: s.timeoutS ?? 120,
      ...(s.serviceAccount ? { serviceAccountName: s.serviceAccount } : {}),
      containers: [
        {
          name: 'probe',
          image: s.image,
          command: [...s.command],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 1000 },
        },
      ],
    },
  };
}
