// Validates rendered objects before anything is applied (and in tests, without a cluster):
// built-in kinds against the Kubernetes OpenAPI schemas (kubernetes-models), Gateway API kinds against
// @kubernetes-models/gateway-api, and mesh CRD kinds against the openAPIV3Schema vendored in mesh-impls/*/crds/.
// CRD objects are checked stricter than the API server would: an unknown field is an error here, where the
// server would silently prune it — a typo in a policy must not quietly turn into "allow".
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { Ajv, type ValidateFunction } from 'ajv';
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as batch from 'kubernetes-models/batch/v1';
import * as rbac from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as gatewayV1 from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import type { KubeObject } from '../../mesh-impls/types.ts';

type ModelClass = new (data: unknown) => { validate(): void };

const MODELS: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'batch/v1': batch,
  'rbac.authorization.k8s.io/v1': rbac,
  'gateway.networking.k8s.io/v1': gatewayV1,
};

const MESH_DIR = fileURLToPath(new URL('../../mesh-impls/', import.meta.url));

/** Turns a structural openAPIV3Schema into a JSON schema ajv understands, closing objects that list their fields. */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const src = node as Record<string, unknown>;
  if (src['x-kubernetes-int-or-string']) return { anyOf: [{ type: 'integer' }, { type: 'string' }] };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (k.startsWith('x-kubernetes-') || k === 'description' || k === 'format') continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, toJsonSchema(s)])) : toJsonSchema(v);
  }
  if (src.properties && !src['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

interface CrdSchema {
  crd: string;
  validate: ValidateFunction;
}

let crdSchemas: Map<string, CrdSchema> | undefined;

/** Loads every vendored CRD (mesh-impls/<mesh>/crds/*.yaml), keyed by `group/version/Kind`. */
export function loadCrdSchemas(): Map<string, CrdSchema> {
  if (crdSchemas) return crdSchemas;
  const ajv = new Ajv({ strict: false, allErrors: true });
  crdSchemas = new Map();
  for (const mesh of readdirSync(MESH_DIR)) {
    const dir = join(MESH_DIR, mesh, 'crds');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        const crd = doc.toJS() as { metadata: { name: string }; spec: { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Record<string, unknown> } }[] } };
        for (const v of crd.spec.versions) {
          const root = toJsonSchema(v.schema.openAPIV3Schema) as Record<string, unknown>;
          // apiVersion/kind/metadata exist on every object; the vendored schemas may leave them out.
          root.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...(root.properties as object) };
          crdSchemas.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, { crd: `${mesh}/crds/${file}: ${crd.metadata.name}`, validate: ajv.compile(root) });
        }
      }
    }
  }
  return crdSchemas;
}

/** Problems with one object (empty when valid). */
export function validateObject(obj: KubeObject): string[] {
  const id = `${obj.kind}/${obj.metadata?.name ?? '?'}`;
  if (!obj.metadata?.name) return [`${id}: metadata.name is missing`];
  const module = MODELS[obj.apiVersion];
  if (module) {
    const Model = module[obj.kind] as ModelClass | undefined;
    if (!Model) return [`${id}: no schema for kind ${obj.kind} in ${obj.apiVersion}`];
    try {
      new Model(obj).validate();
      return [];
    } catch (err) {
      return [`${id}: ${(err as Error).message}`];
    }
  }
  const crd = loadCrdSchemas().get(`${obj.apiVersion}/${obj.kind}`);
  if (!crd) return [`${id}: no schema for ${obj.apiVersion} ${obj.kind} (vendor its CRD into mesh-impls/<mesh>/crds/)`];
  if (crd.validate(obj)) return [];
  return (crd.validate.errors ?? []).map((e) => `${id}: ${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''} [${crd.crd}]`);
}

/** Throws one error listing every problem in a set of objects. */
export function assertValid(objects: readonly KubeObject[], what = 'manifest'): void {
  const problems = objects.flatMap(validateObject);
  if (problems.length) throw new Error(`${what} has ${problems.length} invalid object(s):\n  - ${problems.join('\n  - ')}`);
}
