// Linkerd (linkerd/linkerd2, edge releases) on kind or an existing cluster, installed as its docs say:
// Gateway API CRDs → check --pre → install --crds → install (with harness-generated identity) → check → viz → viz check.
// Pods are meshed by the namespace annotation; redis is declared opaque; policy is Server/AuthorizationPolicy/
// MeshTLSAuthentication per the workload's call graph.
import type { DefaultPolicy, KubeContext, KubeMesh, Mesh } from '../types.ts';
import { generateLinkerdIdentity } from './certs.ts';
import { judgeLinkerdCheck } from './check.ts';
import { linkerdPolicyObjects } from './policy.ts';

/** Pinned versions (facts.md §2). Helm chart version = edge name with `edge-` → `20`. */
export const LINKERD_VERSION = 'edge-26.8.3';
export const GATEWAY_API_VERSION = 'v1.2.1';
export const GATEWAY_API_CRDS_URL = `https://github.com/kubernetes-sigs/gateway-api/releases/download/${GATEWAY_API_VERSION}/standard-install.yaml`;
/** Linkerd's default inbound policy (facts.md §2); the switch changes it for the workload namespace. */
export const LINKERD_DEFAULT_INBOUND: DefaultPolicy = 'all-unauthenticated';

const runLabels = (ctx: KubeContext) => ({ 'meshbench.io/run': ctx.runId });

export interface LinkerdOptions {
  /** `config.linkerd.io/default-inbound-policy` on the workload namespace. */
  defaultInboundPolicy?: DefaultPolicy;
}

export function linkerdKube(opts: LinkerdOptions = {}): KubeMesh {
  const inbound = opts.defaultInboundPolicy ?? LINKERD_DEFAULT_INBOUND;
  let identity: ReturnType<typeof generateLinkerdIdentity> | undefined;
  const ident = () => (identity ??= generateLinkerdIdentity());
  return {
    versions: { linkerd: LINKERD_VERSION, 'gateway-api': GATEWAY_API_VERSION, 'default-inbound-policy': inbound },
    tools: ['linkerd'],
    generatedFiles: [
      { name: 'ca.crt', description: 'trust anchor certificate (ECDSA P-256, self-signed, 10 years)', generate: async () => (await ident()).trustAnchor },
      { name: 'issuer.crt', description: 'identity issuer certificate (ECDSA P-256, signed by the trust anchor, 1 year)', generate: async () => (await ident()).issuerCert },
      { name: 'issuer.key', description: 'identity issuer private key (ECDSA P-256, SEC1 PEM)', generate: async () => (await ident()).issuerKey },
    ],
    controlPlaneNamespaces: ['linkerd', 'linkerd-viz'],
    proxyContainers: ['linkerd-proxy'],
    install: () => [
      { do: 'apply-url', title: `Gateway API CRDs ${GATEWAY_API_VERSION} (standard channel)`, url: GATEWAY_API_CRDS_URL },
      { do: 'run', title: 'Pre-installation checks', tool: 'linkerd', args: ['check', '--pre', '-o', 'json'], judge: judgeLinkerdCheck },
      { do: 'run', title: 'Linkerd CRDs', tool: 'linkerd', args: ['install', '--crds'], apply: true },
      {
        do: 'run',
        title: 'Linkerd control plane (identity from the harness-generated trust anchor and issuer)',
        tool: 'linkerd',
        args: ['install', '--identity-trust-anchors-file', '{file:ca.crt}', '--identity-issuer-certificate-file', '{file:issuer.crt}', '--identity-issuer-key-file', '{file:issuer.key}'],
        apply: true,
      },
      { do: 'wait-ready', title: 'Control plane ready', namespace: 'linkerd', timeoutS: 300 },
      { do: 'run', title: 'Control plane checks', tool: 'linkerd', args: ['check', '-o', 'json'], judge: judgeLinkerdCheck },
      { do: 'run', title: 'Linkerd viz (metrics, tap)', tool: 'linkerd', args: ['viz', 'install'], apply: true },
      { do: 'wait-ready', title: 'Viz ready', namespace: 'linkerd-viz', timeoutS: 300 },
      { do: 'run', title: 'Viz checks', tool: 'linkerd', args: ['viz', 'check', '-o', 'json'], judge: judgeLinkerdCheck },
    ],
    patch: {
      // Injection by annotation on the namespace (pods inherit it), and the default inbound policy switch.
      namespaceAnnotations: { 'linkerd.io/inject': 'enabled', 'config.linkerd.io/default-inbound-policy': inbound },
      // Server-speaks-first ports must skip protocol detection: on the pod (inbound) and the Service (outbound).
      podAnnotations: (svc) => opaqueAnnotation(svc.ports.filter((p) => p.opaque || p.protocol === 'tcp').map((p) => p.targetPort ?? p.port)),
      serviceAnnotations: (svc) => opaqueAnnotation(svc.ports.filter((p) => p.opaque || p.protocol === 'tcp').map((p) => p.port)),
    },
    policy: (policy, workload, ctx) => linkerdPolicyObjects(policy, workload, ctx.namespace, runLabels(ctx)),
    verify: (ctx) => [
      { do: 'run', title: 'Data-plane checks (every proxy healthy, identity issued)', tool: 'linkerd', args: ['check', '--proxy', '--namespace', ctx.namespace, '-o', 'json'], judge: judgeLinkerdCheck },
    ],
    uninstall: () => [
      { do: 'run', title: 'Remove viz', tool: 'linkerd', args: ['viz', 'uninstall'], delete: true },
      { do: 'run', title: 'Remove the control plane and CRDs', tool: 'linkerd', args: ['uninstall'], delete: true },
    ],
  };
}

function opaqueAnnotation(ports: number[]): Record<string, string> {
  return ports.length ? { 'config.linkerd.io/opaque-ports': ports.join(',') } : {};
}

const linkerd: Mesh = {
  name: 'linkerd',
  description: `Linkerd ${LINKERD_VERSION} (Rust micro-proxy, mTLS by default)`,
  meshesPods: true,
  supports: (platform) => platform === 'kind' || platform === 'kubernetes',
  versions: async () => ({ linkerd: LINKERD_VERSION, 'gateway-api': GATEWAY_API_VERSION }),
  kube: linkerdKube(),
};

export default linkerd;
