// Schema checks for the custom mesh's objects, without a cluster: built-in kinds through the platform validator
// (clusters/kubernetes/validate.ts); the two kinds it does not carry (MutatingWebhookConfiguration, the CRD itself)
// through kubernetes-models directly; MeshPolicy objects against the CRD's own openAPIV3Schema with ajv, closed like
// the platform validator closes vendored CRDs (an unknown field is an error, not silently pruned).
import { Ajv } from 'ajv';
import { MutatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import type { KubeObject } from '../../types.ts';
import { toJsonSchema, validateObject } from '../../../clusters/kubernetes/validate.ts';
import { POLICY_API_VERSION, POLICY_SCHEMA } from './crd.ts';
import { POLICY_KIND } from './constants.ts';

const policySchema = toJsonSchema(POLICY_SCHEMA) as Record<string, unknown>;
policySchema.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...(policySchema.properties as object) };
const validatePolicy = new Ajv({ strict: false, allErrors: true }).compile(policySchema);

type Model = new (data: unknown) => { validate(): void };
const EXTRA_MODELS: Record<string, Model> = {
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': MutatingWebhookConfiguration as unknown as Model,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition as unknown as Model,
};

/** Problems with one object (empty when valid). */
export function problemsOf(obj: KubeObject): string[] {
  const id = `${obj.kind}/${obj.metadata?.name ?? '?'}`;
  const Model = EXTRA_MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (Model) {
    try {
      new Model(obj).validate();
      return [];
    } catch (err) {
      return [`${id}: ${(err as Error).message}`];
    }
  }
  if (obj.apiVersion === POLICY_API_VERSION && obj.kind === POLICY_KIND) {
    if (validatePolicy(obj)) return [];
    return (validatePolicy.errors ?? []).map((e) => `${id}: ${e.instancePath || '/'} ${e.message}`);
  }
  return validateObject(obj);
}

export function assertValidObjects(objects: readonly KubeObject[], what: string): void {
  const problems = objects.flatMap(problemsOf);
  if (problems.length) throw new Error(`${what} has ${problems.length} invalid object(s):\n  - ${problems.join('\n  - ')}`);
}
