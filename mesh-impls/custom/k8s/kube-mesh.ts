// The custom mesh's Kubernetes part (KubeMesh, mesh-impls/types.ts): a plan the platform driver runs or prints.
// Install order: (kind) load the images into the nodes → namespace + MeshPolicy CRD → CA Secret (generated here, the
// root key never leaves this machine) → control plane + injector → wait ready → (profile policy) → webhook
// registration (last, so its Fail policy never meets a missing injector). The registration is a generated file because its caBundle is the
// run's CA root, which exists only at run time. The workload opts in through a namespace label (webhook scope) and a
// pod annotation (the opt-in itself).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { stringify } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeContext, KubeGeneratedFile, KubeMesh, KubeObject, KubeStep, KubeWorkloadInfo, MeshPolicy } from '../../types.ts';
import { ensureCa } from '../shared/pki.ts';
import { kindClusterName } from '../../../clusters/kind/kind.ts';
import { policyObject } from './crd.ts';
import { imageBuildPlan } from './images.ts';
import { namespaceObject, crdObject, controlPlaneObjects, injectorObjects, webhookConfiguration } from './manifests.ts';
import {
  ANNOTATIONS, CA_SECRET, CP_NAME, CP_NAMESPACE, CRD_GROUP, DEFAULT_IMAGES, INJECTOR_NAME, MESH_VERSION, NAMESPACE_INJECT_LABEL,
  POLICY_PLURAL, PROXY_CONTAINER, RUN_LABEL, TRUST_DOMAIN, type ImageNames,
} from './constants.ts';

export interface ProfilePolicy {
  policy: MeshPolicy;
  mtls: boolean;
}

export interface CustomKubeOptions {
  images?: ImageNames;
  trustDomain?: string;
  /**
   * The mesh-wide starting policy and mTLS switch of a profile (index.ts profilePolicy), installed as the MeshPolicy
   * `profile` in mesh-system. Absent: Linkerd's default (all-unauthenticated, mTLS on), no object. A function is given
   * the run's workload (the strict profile's rules come from its call graph).
   */
  profile?: ProfilePolicy | ((workload: KubeWorkloadInfo) => ProfilePolicy);
}

/** Generated-file names (KubeGeneratedFile.name) of the CA parts the Secret is made from. */
export const CA_FILES = { root: 'custom-ca-root.pem', issuer: 'custom-ca-issuer.pem', issuerKey: 'custom-ca-issuer.key', trustDomain: 'custom-ca-trust-domain' } as const;
/** Generated-file name of the MutatingWebhookConfiguration (its caBundle is the run's CA root). */
export const WEBHOOK_FILE = 'custom-injector-webhook.yaml';
export const CRD_FILE = 'custom-meshpolicy-crd.yaml';
export const PROFILE_FILE = 'custom-profile-policy.yaml';

/** `kubectl apply` of objects written to a file by the driver (the step carries the file, so --dry-run prints it). */
function applyFile(title: string, name: string, objects: KubeObject[]): KubeStep {
  const text = objects.map((x) => `---\n${stringify(x, { lineWidth: 0 })}`).join('');
  return { do: 'run', title, tool: 'kubectl', args: ['apply', '--server-side', '--field-manager=meshbench', '-f', `{file:${name}}`], files: { [name]: text } };
}

/** Labels of the cluster-scoped webhook registration (generated without the run's context; removed by name). */
const WEBHOOK_LABELS = { 'app.kubernetes.io/part-of': 'meshbench-custom-mesh' };

/** The operator API through the API server's service proxy (what `kubectl get --raw` and the CLI call). */
export const OPERATOR_PROXY_PATH = `/api/v1/namespaces/${CP_NAMESPACE}/services/http:${CP_NAME}:operator/proxy`;

/** Judges the control plane's /api/check answer: every meshed pod has a certificate, a config and reports. */
export function judgeCheck(stdout: string): { ok: boolean; detail: string } {
  let check: { ok?: boolean; pods?: { pod: string; ok: boolean; problems: string[] }[] };
  try {
    check = JSON.parse(stdout);
  } catch {
    return { ok: false, detail: `control plane /api/check did not answer JSON: ${stdout.slice(0, 200)}` };
  }
  const pods = check.pods ?? [];
  if (!pods.length) return { ok: false, detail: 'the control plane knows no meshed pods (is the namespace labelled and were the pods created after the webhook?)' };
  const bad = pods.filter((p) => !p.ok);
  if (bad.length || !check.ok) return { ok: false, detail: bad.map((p) => `${p.pod}: ${p.problems.join(', ')}`).join('; ') || 'control plane reports not ok' };
  return { ok: true, detail: `${pods.length} pods meshed, each with a certificate, a config and recent reports` };
}

/**
 * Rules name Service ports; the proxy sees the pod's port (kube-proxy has already translated the Service port when
 * the connection reaches the pod: frontend 80 → 8080, emailservice 5000 → 8080). So each rule's port becomes the
 * Service port's targetPort on Kubernetes.
 */
export function toTargetPorts(policy: MeshPolicy, workload: KubeWorkloadInfo): MeshPolicy {
  const target = (to: string, port: number) => workload.services.find((s) => s.name === to)?.ports.find((p) => p.port === port)?.targetPort ?? port;
  return { default: policy.default, allow: policy.allow.map((r) => ({ ...r, port: target(r.to, r.port) })) };
}

export function customKubeMesh(opts: CustomKubeOptions = {}): KubeMesh {
  const images = opts.images ?? DEFAULT_IMAGES;
  const trustDomain = opts.trustDomain ?? TRUST_DOMAIN;
  const manifestOpts = (ctx: KubeContext) => ({ images, trustDomain, labels: { [RUN_LABEL]: ctx.runId } });

  // One CA per mesh object (per run): the four files must come from the same generation.
  let ca: Promise<Record<string, string>> | undefined;
  const caFiles = () =>
    (ca ??= (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'meshbench-custom-ca-'));
      try {
        await ensureCa(dir, trustDomain);
        const read = (f: string) => readFileSync(join(dir, f), 'utf8');
        return { [CA_FILES.root]: read('root.pem'), [CA_FILES.issuer]: read('issuer.pem'), [CA_FILES.issuerKey]: read('issuer.key'), [CA_FILES.trustDomain]: read('trust-domain') };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })());
  const generatedFiles: KubeGeneratedFile[] = [
    { name: CA_FILES.root, description: 'custom mesh trust anchor (root certificate, PEM)', generate: async () => (await caFiles())[CA_FILES.root] },
    { name: CA_FILES.issuer, description: 'custom mesh issuer certificate (PEM)', generate: async () => (await caFiles())[CA_FILES.issuer] },
    { name: CA_FILES.issuerKey, description: 'custom mesh issuer private key (PKCS#8 PEM)', generate: async () => (await caFiles())[CA_FILES.issuerKey] },
    { name: CA_FILES.trustDomain, description: 'custom mesh trust domain', generate: async () => (await caFiles())[CA_FILES.trustDomain] },
    {
      name: WEBHOOK_FILE,
      description: 'MutatingWebhookConfiguration of the injector, caBundle = the CA root above (schema-checked by mesh-impls/custom/k8s tests)',
      generate: async () => stringify(webhookConfiguration({ images, trustDomain, labels: WEBHOOK_LABELS }, Buffer.from((await caFiles())[CA_FILES.root]).toString('base64')), { lineWidth: 0 }),
    },
  ];

  return {
    versions: { 'custom-mesh': MESH_VERSION, 'custom-proxy-image': images.proxy, 'custom-control-plane-image': images.controlPlane },
    tools: [],
    generatedFiles,
    // kind: built on the host from this checkout, then loaded into the nodes by install().
    hostBuild: imageBuildPlan({ repoRoot: fileURLToPath(new URL('../../../', import.meta.url)), images }),
    controlPlaneNamespaces: [CP_NAMESPACE],
    proxyContainers: [PROXY_CONTAINER],

    install(ctx) {
      const o = manifestOpts(ctx);
      const profile = typeof opts.profile === 'function' ? opts.profile(ctx.workload) : opts.profile;
      // kind nodes get the images straight from the host's Docker (built by imageBuildPlan()); no registry involved.
      const load: KubeStep[] =
        ctx.platform === 'kind'
          ? [images.proxy, images.controlPlane].map((image) => ({ do: 'run' as const, title: `custom mesh: load ${image} into the kind nodes`, tool: 'kind' as const, args: ['load', 'docker-image', image, '--name', kindClusterName('custom', ctx.runId)] }))
          : [];
      return [
        ...load,
        { do: 'apply', title: 'custom mesh: namespace', objects: [namespaceObject(o)] },
        // The platform validator carries no apiextensions schema, so the CRD goes through kubectl as a file (it is
        // schema-checked by this folder's tests, and the file is printed in --dry-run).
        applyFile('custom mesh: MeshPolicy CRD', CRD_FILE, [crdObject(o)]),
        {
          do: 'run',
          title: 'custom mesh: CA Secret (root certificate, issuer certificate and key; the root key stays on this machine)',
          tool: 'kubectl',
          args: [
            'create', 'secret', 'generic', CA_SECRET, '--namespace', CP_NAMESPACE,
            `--from-file=root.pem={file:${CA_FILES.root}}`, `--from-file=issuer.pem={file:${CA_FILES.issuer}}`,
            `--from-file=issuer.key={file:${CA_FILES.issuerKey}}`, `--from-file=trust-domain={file:${CA_FILES.trustDomain}}`,
            '--dry-run=client', '-o', 'yaml',
          ],
          apply: true,
        },
        { do: 'apply', title: 'custom mesh: control plane (RBAC, Deployment, Service) and injector', objects: [...controlPlaneObjects(o), ...injectorObjects(o)] },
        { do: 'wait-ready', title: 'custom mesh: control plane and injector ready', namespace: CP_NAMESPACE, timeoutS: 180 },
        ...(profile
          ? [applyFile(`custom mesh: profile policy (default ${profile.policy.default}, mTLS ${profile.mtls ? 'on' : 'off'})`, PROFILE_FILE, [policyObject(toTargetPorts(profile.policy, ctx.workload), CP_NAMESPACE, { [RUN_LABEL]: ctx.runId }, 'profile', profile.mtls)])]
          : []),
        { do: 'run', title: 'custom mesh: register the injector webhook (failurePolicy Fail, labelled namespaces only)', tool: 'kubectl', args: ['apply', '--server-side', '--field-manager=meshbench', '-f', `{file:${WEBHOOK_FILE}}`] },
      ];
    },

    patch: {
      namespaceLabels: { [NAMESPACE_INJECT_LABEL]: 'enabled' },
      podAnnotations(service) {
        const opaque = service.ports.filter((p) => p.opaque).map((p) => p.targetPort ?? p.port);
        return { [ANNOTATIONS.inject]: 'enabled', ...(opaque.length ? { [ANNOTATIONS.opaquePorts]: opaque.join(',') } : {}) };
      },
      appProtocol: true,
    },

    policy(policy, workload, ctx): KubeObject[] {
      return [policyObject(toTargetPorts(policy, workload), ctx.namespace, { [RUN_LABEL]: ctx.runId })];
    },

    verify(): KubeStep[] {
      return [{ do: 'run', title: 'custom mesh: control plane check (every pod certified, configured, reporting)', tool: 'kubectl', args: ['get', '--raw', `${OPERATOR_PROXY_PATH}/api/check`], judge: judgeCheck }];
    },

    uninstall(): KubeStep[] {
      const del = (title: string, ...args: string[]): KubeStep => ({ do: 'run', title, tool: 'kubectl', args: ['delete', '--ignore-not-found', '--wait=true', ...args] });
      return [
        // The webhook goes first: with failurePolicy Fail it must not outlive the injector.
        del('custom mesh: unregister the injector webhook', 'mutatingwebhookconfiguration', INJECTOR_NAME),
        del('custom mesh: control plane namespace', 'namespace', CP_NAMESPACE),
        del('custom mesh: RBAC', 'clusterrolebinding,clusterrole', CP_NAME),
        del('custom mesh: MeshPolicy CRD', 'customresourcedefinition', `${POLICY_PLURAL}.${CRD_GROUP}`),
      ];
    },
  };
}

/** The KubeMesh the custom Mesh object carries (`kube: customKube`). */
export const customKube: KubeMesh = customKubeMesh();
