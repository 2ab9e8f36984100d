// Renders Online Boutique's Kubernetes objects from services.ts, then lets a mesh change them through its
// KubeWorkloadPatch: annotations, appProtocol, one Service per pod, and a final free-form hook.
// The upstream loadgenerator is left out on purpose: load comes from the harness's k6 Job at a controlled rate.
import type { KubeContext, KubeObject, KubeServiceInfo, KubeWorkloadInfo, KubeWorkloadPatch } from '../../../mesh-impls/types.ts';
import type { CallEdge, PortProtocol } from '../../types.ts';
import { SERVICES, type BoutiqueService, type Probe } from './services.ts';

export const APP_LABEL = 'app';
export const RUN_LABEL = 'meshbench.io/run';

/** The Kubernetes form of the workload, as meshes see it. */
export function boutiqueInfo(): KubeWorkloadInfo {
  const services: KubeServiceInfo[] = SERVICES.map(info);
  const byName = new Map(SERVICES.map((s) => [s.name, s]));
  const callGraph: CallEdge[] = SERVICES.flatMap((s) =>
    s.calls.map((to) => ({ from: s.name, to, port: byName.get(to)!.port.port })),
  );
  return { name: 'online-boutique', services, callGraph, entry: { service: 'frontend', port: 80, healthPath: '/_healthz' } };
}

/** Service `appProtocol` per port protocol (gRPC is HTTP/2 cleartext, the Kubernetes-defined name). */
export function appProtocolFor(p: PortProtocol): string {
  return p === 'grpc' ? 'kubernetes.io/h2c' : p;
}

function probe(p: Probe): Record<string, unknown> {
  const timing = {
    ...('initialDelaySeconds' in p && p.initialDelaySeconds ? { initialDelaySeconds: p.initialDelaySeconds } : {}),
    ...('periodSeconds' in p && p.periodSeconds ? { periodSeconds: p.periodSeconds } : {}),
  };
  switch (p.kind) {
    case 'grpc':
      return { ...timing, grpc: { port: p.port } };
    case 'http':
      return { ...timing, httpGet: { path: p.path, port: p.port, httpHeaders: [{ name: 'Cookie', value: p.cookie }] } };
    case 'tcp':
      return { ...timing, tcpSocket: { port: p.port } };
  }
}

function info(s: BoutiqueService): KubeServiceInfo {
  const { name, port, protocol, opaque } = s.port;
  return { name: s.name, serviceAccount: s.name, ports: [{ name, port, protocol, targetPort: s.containerPort, ...(opaque ? { opaque } : {}) }] };
}

function deployment(s: BoutiqueService, ctx: KubeContext, labels: Record<string, string>, patch: KubeWorkloadPatch): KubeObject {
  const ns = ctx.namespace;
  const annotations = patch.podAnnotations?.(info(s), ctx) ?? {};
  const container: Record<string, unknown> = {
    name: s.containerName,
    image: s.image,
    // Named like the Service port, so mesh policy objects (Linkerd Server) can select the port by name.
    ports: [{ name: s.port.name, containerPort: s.containerPort }],
    env: Object.entries(s.env).map(([name, value]) => ({ name, value })),
    resources: s.resources,
    readinessProbe: probe(s.readiness),
    livenessProbe: probe(s.liveness),
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
    },
    ...(s.dataVolume ? { volumeMounts: [{ name: 'data', mountPath: s.dataVolume }] } : {}),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: s.name, namespace: ns, labels: { ...labels, [APP_LABEL]: s.name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { [APP_LABEL]: s.name } },
      template: {
        metadata: { labels: { ...labels, [APP_LABEL]: s.name }, ...(Object.keys(annotations).length ? { annotations } : {}) },
        spec: {
          serviceAccountName: s.name,
          ...(s.terminationGracePeriodSeconds ? { terminationGracePeriodSeconds: s.terminationGracePeriodSeconds } : {}),
          securityContext: { fsGroup: 1000, runAsGroup: 1000, runAsNonRoot: true, runAsUser: 1000 },
          containers: [container],
          ...(s.dataVolume ? { volumes: [{ name: 'data', emptyDir: {} }] } : {}),
        },
      },
    },
  };
}

function service(s: BoutiqueService, name: string, type: string, ctx: KubeContext, labels: Record<string, string>, patch: KubeWorkloadPatch): KubeObject {
  const ns = ctx.namespace;
  const annotations = patch.serviceAnnotations?.(info(s), ctx) ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { ...labels, [APP_LABEL]: s.name }, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      type,
      selector: { [APP_LABEL]: s.name },
      ports: [
        {
          name: s.port.name,
          port: s.port.port,
          targetPort: s.containerPort,
          protocol: 'TCP',
          ...(patch.appProtocol ? { appProtocol: appProtocolFor(s.port.protocol) } : {}),
        },
      ],
    },
  };
}

export interface RenderOptions {
  ctx: KubeContext;
  patch?: KubeWorkloadPatch;
}

/** Every object of the workload, in apply order: namespace, then per service ServiceAccount, Service(s), Deployment. */
export function renderBoutique({ ctx, patch = {} }: RenderOptions): KubeObject[] {
  const labels = { [RUN_LABEL]: ctx.runId };
  const ns = ctx.namespace;
  const objects: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        labels: { ...labels, ...patch.namespaceLabels },
        ...(patch.namespaceAnnotations ? { annotations: { ...patch.namespaceAnnotations } } : {}),
      },
    },
  ];
  for (const s of SERVICES) {
    objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: s.name, namespace: ns, labels: { ...labels } } });
    objects.push(service(s, s.name, 'ClusterIP', ctx, labels, patch));
    if (!patch.oneServicePerPod) for (const extra of s.extraServices ?? []) objects.push(service(s, extra.name, extra.type, ctx, labels, patch));
    objects.push(deployment(s, ctx, labels, patch));
  }
  return patch.objects ? patch.objects(objects, ctx) : objects;
}
