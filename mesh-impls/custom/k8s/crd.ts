// Policy on Kubernetes: a small namespaced CRD, MeshPolicy (mesh.meshbench.io/v1alpha1), whose spec is exactly the
// harness's MeshPolicy. The API server validates it against the openAPIV3Schema below, so a typo is refused at apply
// time instead of silently becoming a different policy. The control plane merges every MeshPolicy object it sees.
import { stringify } from 'yaml';
import type { AllowRule, DefaultPolicy, KubeObject, MeshPolicy } from '../../types.ts';
import { CRD_GROUP, CRD_VERSION, POLICY_KIND, POLICY_PLURAL } from './constants.ts';

export const POLICY_API_VERSION = `${CRD_GROUP}/${CRD_VERSION}`;
const DEFAULTS: DefaultPolicy[] = ['all-unauthenticated', 'all-authenticated', 'deny'];

export const POLICY_SCHEMA = {
  type: 'object',
  required: ['spec'],
  properties: {
    spec: {
      type: 'object',
      required: ['default', 'allow'],
      properties: {
        default: { type: 'string', enum: DEFAULTS, description: 'Inbound policy for ports without allow rules (Linkerd vocabulary).' },
        mtls: { type: 'boolean', description: 'false turns mTLS between proxies off (the "mesh without mTLS" comparison profile); absent = on.' },
        allow: {
          type: 'array',
          maxItems: 2000,
          items: {
            type: 'object',
            required: ['to', 'port', 'from'],
            properties: {
              to: { type: 'string', minLength: 1, maxLength: 253, description: 'Service receiving the call.' },
              port: { type: 'integer', minimum: 1, maximum: 65535 },
              from: { type: 'array', maxItems: 256, items: { type: 'string', minLength: 1, maxLength: 253 }, description: "ServiceAccounts allowed; '*unauthenticated*' admits plaintext clients." },
              methods: { type: 'array', maxItems: 256, items: { type: 'string', pattern: '^/', maxLength: 1024 }, description: 'gRPC full method names or HTTP path prefixes; empty = any.' },
            },
          },
        },
      },
    },
  },
} as const;

export function policyCrd(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${POLICY_PLURAL}.${CRD_GROUP}` },
    spec: {
      group: CRD_GROUP,
      scope: 'Namespaced',
      names: { kind: POLICY_KIND, listKind: `${POLICY_KIND}List`, plural: POLICY_PLURAL, singular: POLICY_KIND.toLowerCase(), shortNames: ['mp'] },
      versions: [
        {
          name: CRD_VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: POLICY_SCHEMA },
          additionalPrinterColumns: [{ name: 'Default', type: 'string', jsonPath: '.spec.default' }],
        },
      ],
    },
  };
}

/**
 * The CRD as YAML, for vendoring into mesh-impls/custom/crds/ where the platform validator
 * (clusters/kubernetes/validate.ts) looks for the schemas of mesh CRD objects before it applies them.
 */
export function policyCrdYaml(): string {
  return stringify(policyCrd(), { lineWidth: 0 });
}

/** A MeshPolicy as the custom resource that carries it (`mtls` only when it is set). */
export function policyObject(policy: MeshPolicy, namespace: string, labels: Record<string, string> = {}, name = 'meshbench', mtls?: boolean): KubeObject {
  const allow = policy.allow.map((r) => ({ to: r.to, port: r.port, from: [...r.from], ...(r.methods?.length ? { methods: [...r.methods] } : {}) }));
  return { apiVersion: POLICY_API_VERSION, kind: POLICY_KIND, metadata: { name, namespace, labels }, spec: { default: policy.default, ...(mtls === undefined ? {} : { mtls }), allow } };
}

/** mTLS is off only when some object asks for it and none asks for it on; otherwise on. */
export function mergeMtls(objects: readonly { spec?: { mtls?: boolean } }[]): boolean {
  const said = objects.map((o) => o.spec?.mtls).filter((m): m is boolean => m !== undefined);
  return said.length === 0 || said.includes(true);
}

const STRICTNESS: Record<DefaultPolicy, number> = { 'all-unauthenticated': 0, 'all-authenticated': 1, deny: 2 };

/**
 * The control plane's one policy from every MeshPolicy object: allow rules add up, the strictest default wins (two
 * teams' objects can only narrow what an unlisted port admits). No objects: Linkerd's default, all-unauthenticated.
 */
export function mergePolicies(objects: readonly { spec?: { default?: DefaultPolicy; allow?: readonly AllowRule[] } }[]): MeshPolicy {
  let def: DefaultPolicy = 'all-unauthenticated';
  const allow: AllowRule[] = [];
  for (const o of objects) {
    if (o.spec?.default && STRICTNESS[o.spec.default] > STRICTNESS[def]) def = o.spec.default;
    allow.push(...(o.spec?.allow ?? []));
  }
  return { default: def, allow };
}
