// Every object the custom mesh applies validates against the Kubernetes schemas (kubernetes-models; the MeshPolicy
// against its CRD's openAPIV3Schema with ajv), and the install keeps its promises: least RBAC, non-root read-only
// containers, the CA from the generated files, the webhook registered last and unregistered first.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { parse, parseAllDocuments } from 'yaml';
import { assertValid } from '../../../clusters/kubernetes/validate.ts';
import jsonpatch from 'fast-json-patch';
import { leastPrivilegePolicy, type KubeObject, type KubeStep } from '../../types.ts';
import type { Workload } from '../../../workloads/types.ts';
import { customKubeMesh, CA_FILES, WEBHOOK_FILE, judgeCheck } from './kube-mesh.ts';
import { problemsOf, assertValidObjects } from './validate.ts';
import { policyObject, mergePolicies, mergeMtls } from './crd.ts';
import { injectPatch } from './inject.ts';
import { boutiqueObjects, boutiquePods, CFG, ctx } from './test-fixtures.ts';
import { CP_NAMESPACE, CP_UID, INJECTOR_NAME } from './constants.ts';

const mesh = customKubeMesh();
const steps = mesh.install(ctx);
/** Every object the install creates: `apply` steps, and the files `run` steps hand to `kubectl apply -f`. */
const applied = (list: KubeStep[]) =>
  list.flatMap((s) => (s.do === 'apply' ? s.objects : s.do === 'run' ? Object.values(s.files ?? {}).flatMap((t) => parseAllDocuments(t).map((d) => d.toJS() as KubeObject)) : []));
const byKind = (objs: readonly KubeObject[], kind: string, name?: string) => objs.filter((o) => o.kind === kind && (!name || o.metadata.name === name));

async function generated(): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all((mesh.generatedFiles ?? []).map(async (g) => [g.name, await g.generate()] as const)));
}

describe('custom mesh manifests', () => {
  it('every install object validates against the Kubernetes schemas', () => {
    const objects = applied(steps);
    assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`), [
      'Namespace/mesh-system', 'CustomResourceDefinition/meshpolicies.mesh.meshbench.io',
      'ServiceAccount/meshcp', 'ClusterRole/meshcp', 'ClusterRoleBinding/meshcp', 'Deployment/meshcp', 'Service/meshcp',
      'ServiceAccount/meshcp-injector', 'Deployment/meshcp-injector', 'Service/meshcp-injector',
    ]);
    assertValidObjects(objects, 'custom mesh install');
  });

  it("every `apply` step passes the platform driver's own validator (the driver refuses what it cannot check)", () => {
    for (const s of steps) if (s.do === 'apply') assertValid(s.objects, s.title);
  });

  it('the generated webhook registration validates and trusts exactly the generated CA root', async () => {
    const files = await generated();
    const mwc = parse(files[WEBHOOK_FILE]) as KubeObject;
    assert.deepEqual(problemsOf(mwc), []);
    const hook = (mwc.webhooks as { failurePolicy: string; clientConfig: { caBundle: string; service: { name: string; namespace: string } }; namespaceSelector: unknown }[])[0];
    assert.equal(Buffer.from(hook.clientConfig.caBundle, 'base64').toString('utf8'), files[CA_FILES.root]);
    assert.equal(hook.failurePolicy, 'Fail');
    assert.deepEqual(hook.clientConfig.service, { name: INJECTOR_NAME, namespace: CP_NAMESPACE, path: '/inject', port: 443 });
    // The CA files come from one generation: the issuer is signed by the root.
    const root = new X509Certificate(files[CA_FILES.root]);
    const issuer = new X509Certificate(files[CA_FILES.issuer]);
    assert.ok(issuer.verify(root.publicKey));
    assert.equal(files[CA_FILES.trustDomain], 'cluster.local');
    assert.match(files[CA_FILES.issuerKey], /BEGIN PRIVATE KEY/);
  });

  it('an invalid object is reported, naming the field (the validator is live)', () => {
    const bad = structuredClone(byKind(applied(steps), 'Deployment')[0]) as KubeObject & { spec: { replicas: unknown } };
    bad.spec.replicas = 'one';
    assert.match(problemsOf(bad).join(), /replicas/);
    const badPolicy = policyObject({ default: 'deny', allow: [{ to: 'cartservice', port: 70000, from: ['frontend'] }] }, 'boutique');
    assert.match(problemsOf(badPolicy).join(), /port must be <= 65535/);
    const typo = { ...policyObject({ default: 'deny', allow: [] }, 'boutique'), spec: { default: 'deny', allow: [], allowAll: true } };
    assert.match(problemsOf(typo as KubeObject).join(), /additional properties/);
  });

  it('the CRD and the least-privilege policy object validate; merged policies keep the strictest default', () => {
    const policy = leastPrivilegePolicy(ctx.workload as unknown as Workload);
    const objs = mesh.policy(policy, ctx.workload, ctx);
    assertValidObjects(objs, 'policy');
    assert.equal(objs[0].metadata.namespace, 'boutique');
    // Service ports become the pods' ports, which is what the proxy sees (kube-proxy translated them already).
    const rules = (objs[0].spec as { allow: { to: string; port: number; from: string[] }[] }).allow;
    assert.deepEqual(rules.find((r) => r.to === 'emailservice')?.port, 8080, 'emailservice Service 5000 → pod 8080');
    assert.deepEqual(rules.find((r) => r.to === 'frontend' && r.from.includes('*unauthenticated*'))?.port, 8080, 'frontend Service 80 → pod 8080');
    assert.deepEqual(rules.find((r) => r.to === 'cartservice')?.port, 7070);
    assert.equal(rules.length, policy.allow.length);
    assert.deepEqual(mergePolicies(objs as never).default, 'deny');
    assertValidObjects(byKind(applied(steps), 'CustomResourceDefinition'), 'CRD');
  });

  it('a profile installs its starting policy and mTLS switch as a valid MeshPolicy in mesh-system, after the CRD is ready', () => {
    const withProfile = customKubeMesh({ profile: { policy: { default: 'all-unauthenticated', allow: [] }, mtls: false } }).install(ctx);
    const i = withProfile.findIndex((s) => s.title.startsWith('custom mesh: profile policy'));
    assert.ok(i > withProfile.findIndex((s) => s.do === 'wait-ready'));
    const obj = applied([withProfile[i]])[0];
    assert.deepEqual(problemsOf(obj), []);
    assert.deepEqual(obj.spec, { default: 'all-unauthenticated', mtls: false, allow: [] });
    assert.equal(obj.metadata.namespace, CP_NAMESPACE);
    assert.equal(mergeMtls([obj as never]), false);
    assert.equal(mergeMtls([obj as never, policyObject({ default: 'deny', allow: [] }, 'boutique', {}, 'x', true) as never]), true, 'any object asking for mTLS keeps it on');
    assert.equal(steps.some((s) => s.title.startsWith('custom mesh: profile policy')), false, 'no profile: no object');
  });

  it('RBAC is exactly what the control plane reads (and TokenReview), nothing else', () => {
    const role = byKind(applied(steps), 'ClusterRole')[0] as KubeObject & { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    const grants = role.rules.flatMap((r) => r.resources.map((res) => `${r.apiGroups[0] || 'core'}/${res}: ${r.verbs.join(',')}`)).sort();
    assert.deepEqual(grants, [
      'authentication.k8s.io/tokenreviews: create',
      'core/pods: get,list,watch',
      'core/services: get,list,watch',
      'discovery.k8s.io/endpointslices: get,list,watch',
      'mesh.meshbench.io/meshpolicies: get,list,watch',
    ]);
    const injector = byKind(applied(steps), 'Deployment', INJECTOR_NAME)[0] as KubeObject & { spec: { template: { spec: { automountServiceAccountToken: boolean } } } };
    assert.equal(injector.spec.template.spec.automountServiceAccountToken, false, 'the injector reads no API');
  });

  it('control-plane containers run non-root on a read-only root filesystem, the CA from the Secret', () => {
    for (const d of byKind(applied(steps), 'Deployment') as (KubeObject & { spec: { template: { spec: { containers: { securityContext: Record<string, unknown>; volumeMounts: { name: string; readOnly?: boolean }[] }[]; volumes: { name: string; secret?: { secretName: string } }[] } } } })[]) {
      const c = d.spec.template.spec.containers[0];
      assert.equal(c.securityContext.runAsUser, CP_UID);
      assert.equal(c.securityContext.runAsNonRoot, true);
      assert.equal(c.securityContext.readOnlyRootFilesystem, true);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.equal(d.spec.template.spec.volumes.find((v) => v.name === 'ca')?.secret?.secretName, 'meshcp-ca');
      assert.equal(c.volumeMounts.find((m) => m.name === 'ca')?.readOnly, true);
    }
  });

  it('installs in order: images (kind), CRD, CA Secret, control plane, ready, webhook last; uninstall drops the webhook first', () => {
    const titles = steps.map((s) => `${s.do}: ${s.title}`);
    const idx = (re: RegExp) => titles.findIndex((t) => re.test(t));
    assert.ok(idx(/load meshbench\/custom-proxy/) === 0 && idx(/load meshbench\/custom-control-plane/) === 1);
    assert.ok(idx(/namespace$/) < idx(/CRD/) && idx(/CRD/) < idx(/CA Secret/) && idx(/CA Secret/) < idx(/control plane \(RBAC/) && idx(/control plane \(RBAC/) < idx(/^wait-ready/) && idx(/^wait-ready/) < idx(/register the injector webhook/));
    assert.equal(idx(/register the injector webhook/), steps.length - 1);
    const secret = steps.find((s) => s.do === 'run' && s.title.includes('CA Secret')) as Extract<KubeStep, { do: 'run' }>;
    assert.ok(secret.apply);
    assert.ok(!secret.args.join(' ').includes('root.key'), 'the root key is never sent to the cluster');
    assert.deepEqual(mesh.install({ ...ctx, platform: 'kubernetes' }).filter((s) => s.do === 'run' && s.tool === 'kind'), [], 'no kind steps on an existing cluster');
    const un = mesh.uninstall(ctx) as Extract<KubeStep, { do: 'run' }>[];
    assert.deepEqual(un[0].args.slice(-2), ['mutatingwebhookconfiguration', INJECTOR_NAME]);
  });

  it('the workload with the mesh patch, and every injected pod, validate', () => {
    const objects = boutiqueObjects();
    assertValidObjects(objects, 'Online Boutique with the custom mesh patch');
    const ns = byKind(objects, 'Namespace')[0];
    assert.equal(ns.metadata.labels?.['mesh.meshbench.io/inject'], 'enabled');
    for (const pod of boutiquePods()) {
      const r = injectPatch(pod, 'boutique', CFG);
      assert.equal(r.action, 'inject');
      if (r.action !== 'inject') continue;
      assertValidObjects([jsonpatch.applyPatch(structuredClone(pod), r.patch as jsonpatch.Operation[], true, false).newDocument as unknown as KubeObject], `injected ${pod.metadata?.name}`);
    }
  });

  it('judges the control plane check output', () => {
    assert.deepEqual(judgeCheck(JSON.stringify({ ok: true, pods: [{ pod: 'a', ok: true, problems: [] }] })).ok, true);
    assert.match(judgeCheck(JSON.stringify({ ok: false, pods: [{ pod: 'a', ok: false, problems: ['no certificate issued yet'] }] })).detail, /a: no certificate issued yet/);
    assert.match(judgeCheck(JSON.stringify({ ok: true, pods: [] })).detail, /knows no meshed pods/);
    assert.match(judgeCheck('<html>').detail, /did not answer JSON/);
  });
});
