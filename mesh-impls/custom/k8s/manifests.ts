// Every object the custom mesh's Kubernetes install applies, as plain data. The control plane and the injector are
// two Deployments from the same image: the control plane reads the API (least RBAC below), the injector reads nothing
// (no ServiceAccount token mounted at all). Both run non-root with a read-only root filesystem.
import type { KubeObject } from '../../types.ts';
import { policyCrd } from './crd.ts';
import {
  CA_SECRET, CP_NAME, CP_NAMESPACE, CP_UID, CRD_GROUP, INJECTOR_NAME, NAMESPACE_INJECT_LABEL, POLICY_PLURAL, PORTS, type ImageNames,
} from './constants.ts';

export interface ManifestOptions {
  images: ImageNames;
  trustDomain: string;
  /** Labels every object carries (the run label). */
  labels: Record<string, string>;
}

const CA_DIR = '/var/lib/meshcp/ca';
export const INJECTOR_DNS = [`${INJECTOR_NAME}.${CP_NAMESPACE}.svc`, `${INJECTOR_NAME}.${CP_NAMESPACE}.svc.cluster.local`];
/** How pods reach the control plane's proxy API (the proxy checks the SPIFFE id it presents, not this name). */
export const CONTROL_PLANE_URL = `https://${CP_NAME}.${CP_NAMESPACE}.svc:${PORTS.cpProxyApi}`;

const containerSecurity = {
  runAsNonRoot: true,
  runAsUser: CP_UID,
  runAsGroup: CP_UID,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

const meta = (o: ManifestOptions, name: string, namespaced = true) => ({
  name,
  ...(namespaced ? { namespace: CP_NAMESPACE } : {}),
  labels: { ...o.labels, 'app.kubernetes.io/part-of': 'meshbench-custom-mesh', 'app.kubernetes.io/name': name },
});

/** The CA Secret's volume: root.pem, issuer.pem, issuer.key, trust-domain (never the root key). Group-readable via fsGroup. */
const caVolume = { name: 'ca', secret: { secretName: CA_SECRET, defaultMode: 0o440 } };

function deployment(o: ManifestOptions, name: string, sa: string, container: Record<string, unknown>, extra: { volumes: unknown[]; automountServiceAccountToken: boolean }): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(o, name),
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        metadata: { labels: { ...o.labels, 'app.kubernetes.io/name': name } },
        spec: {
          serviceAccountName: sa,
          automountServiceAccountToken: extra.automountServiceAccountToken,
          securityContext: { runAsNonRoot: true, runAsUser: CP_UID, runAsGroup: CP_UID, fsGroup: CP_UID, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{ imagePullPolicy: 'IfNotPresent', securityContext: containerSecurity, ...container }],
          volumes: extra.volumes,
        },
      },
    },
  };
}

/** The control plane's namespace: applied first, with the CRD (labelled below), so the rest can refer to them. */
export function namespaceObject(o: ManifestOptions): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: CP_NAMESPACE, labels: { ...o.labels } } };
}

export function crdObject(o: ManifestOptions): KubeObject {
  const crd = policyCrd();
  return { ...crd, metadata: { ...crd.metadata, labels: { ...o.labels } } };
}

export function controlPlaneObjects(o: ManifestOptions): KubeObject[] {
  const rules = [
    // Discovery: which pods are meshed (identity, probes), which Services they back, and at which addresses.
    { apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
    // Identity: each proxy's projected ServiceAccount token is checked before its CSR is signed.
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    // Policy: read-only; the mesh never writes its own policy objects.
    { apiGroups: [CRD_GROUP], resources: [POLICY_PLURAL], verbs: ['get', 'list', 'watch'] },
  ];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(o, CP_NAME) },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(o, CP_NAME, false), rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(o, CP_NAME, false),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: CP_NAME },
      subjects: [{ kind: 'ServiceAccount', name: CP_NAME, namespace: CP_NAMESPACE }],
    },
    deployment(
      o,
      CP_NAME,
      CP_NAME,
      {
        name: 'control-plane',
        image: o.images.controlPlane,
        command: ['node', '/app/control-plane.mjs'],
        args: ['--dir', '/var/lib/meshcp', '--trust-domain', o.trustDomain, '--proxy-api-port', String(PORTS.cpProxyApi), '--operator-api-port', String(PORTS.cpOperatorApi)],
        env: [{ name: 'MESH_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
        ports: [
          { name: 'proxy-api', containerPort: PORTS.cpProxyApi, protocol: 'TCP' },
          { name: 'operator', containerPort: PORTS.cpOperatorApi, protocol: 'TCP' },
        ],
        readinessProbe: { httpGet: { path: '/api/policy', port: 'operator' }, periodSeconds: 5 },
        livenessProbe: { tcpSocket: { port: 'proxy-api' }, periodSeconds: 10 },
        resources: { requests: { cpu: '100m', memory: '96Mi' }, limits: { memory: '512Mi' } },
        volumeMounts: [
          { name: 'state', mountPath: '/var/lib/meshcp' },
          { name: 'ca', mountPath: CA_DIR, readOnly: true },
        ],
      },
      { automountServiceAccountToken: true, volumes: [{ name: 'state', emptyDir: { sizeLimit: '64Mi' } }, caVolume] },
    ),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(o, CP_NAME),
      spec: {
        selector: { 'app.kubernetes.io/name': CP_NAME },
        ports: [
          { name: 'proxy-api', port: PORTS.cpProxyApi, targetPort: 'proxy-api', protocol: 'TCP' },
          // The operator API (check, stat, edges, dashboard): reached through the API server's service proxy.
          { name: 'operator', port: PORTS.cpOperatorApi, targetPort: 'operator', protocol: 'TCP', appProtocol: 'http' },
        ],
      },
    },
  ];
}

export function injectorObjects(o: ManifestOptions): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(o, INJECTOR_NAME), automountServiceAccountToken: false },
    deployment(
      o,
      INJECTOR_NAME,
      INJECTOR_NAME,
      {
        name: 'injector',
        image: o.images.controlPlane,
        command: ['node', '/app/injector.mjs'],
        args: [
          '--ca-dir', CA_DIR, '--port', String(PORTS.webhook), '--trust-domain', o.trustDomain,
          '--proxy-image', o.images.proxy, '--control-plane', CONTROL_PLANE_URL, ...INJECTOR_DNS.flatMap((d) => ['--dns', d]),
        ],
        ports: [{ name: 'webhook', containerPort: PORTS.webhook, protocol: 'TCP' }],
        readinessProbe: { httpGet: { path: '/healthz', port: 'webhook', scheme: 'HTTPS' }, periodSeconds: 5 },
        livenessProbe: { httpGet: { path: '/healthz', port: 'webhook', scheme: 'HTTPS' }, periodSeconds: 10 },
        resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
        volumeMounts: [{ name: 'ca', mountPath: CA_DIR, readOnly: true }],
      },
      { automountServiceAccountToken: false, volumes: [caVolume] },
    ),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(o, INJECTOR_NAME),
      spec: { selector: { 'app.kubernetes.io/name': INJECTOR_NAME }, ports: [{ name: 'webhook', port: 443, targetPort: 'webhook', protocol: 'TCP' }] },
    },
  ];
}

/**
 * The webhook registration. failurePolicy is Fail, deliberately: a pod that asked for the mesh and started without
 * its proxy would run outside the mesh unnoticed — plaintext, unauthorized, and counted as "meshed" by the benchmark.
 * Failing makes the ReplicaSet retry until the injector answers, and the run's readiness wait reports it. The blast
 * radius is kept small instead: only namespaces labelled `mesh.meshbench.io/inject=enabled` are sent to the webhook
 * (never kube-system or mesh-system, so a down injector cannot block the cluster or itself), only pod CREATE, with a
 * short timeout.
 */
export function webhookConfiguration(o: ManifestOptions, caBundleBase64: string): KubeObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: meta(o, INJECTOR_NAME, false),
    webhooks: [
      {
        name: 'inject.mesh.meshbench.io',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: 'Fail',
        // Injection is idempotent (inject.ts skips injected pods), so a re-run after other webhooks is harmless.
        reinvocationPolicy: 'IfNeeded',
        matchPolicy: 'Equivalent',
        timeoutSeconds: 10,
        clientConfig: { service: { name: INJECTOR_NAME, namespace: CP_NAMESPACE, path: '/inject', port: 443 }, caBundle: caBundleBase64 },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
        namespaceSelector: {
          matchLabels: { [NAMESPACE_INJECT_LABEL]: 'enabled' },
          matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', CP_NAMESPACE] }],
        },
      },
    ],
  };
}
