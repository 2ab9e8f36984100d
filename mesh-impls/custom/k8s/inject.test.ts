// The injector's JSONPatch on real pod specs: every Online Boutique Deployment as the workload renderer produces it
// (with the custom mesh's patch hook), plus pods with sidecars, init containers and hostNetwork. Patches are applied
// with fast-json-patch (an independent RFC 6902 implementation) and the result validated against the Pod schema.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import jsonpatch from 'fast-json-patch';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { validateObject } from '../../../clusters/kubernetes/validate.ts';
import { injectPatch, type JsonPatchOp } from './inject.ts';
import { interceptRules } from './iptables.ts';
import { boutiqueObjects, boutiquePods, CFG, podOf } from './test-fixtures.ts';
import { ANNOTATIONS, INIT_CONTAINER, PROXY_CONTAINER, PROXY_UID, TOKEN_AUDIENCE } from './constants.ts';

function applied(pod: V1Pod, patch: JsonPatchOp[]): V1Pod {
  // validateOperation=true: every path must exist where RFC 6902 says it must (e.g. the array for `/-`).
  return jsonpatch.applyPatch(structuredClone(pod), patch as jsonpatch.Operation[], true, false).newDocument;
}

const names = (cs?: V1Container[]) => (cs ?? []).map((c) => c.name);

function injected(pod: V1Pod): { out: V1Pod; identity: string; warnings: string[] } {
  const r = injectPatch(pod, 'boutique', CFG);
  assert.equal(r.action, 'inject', r.action !== 'inject' ? r.reason : '');
  if (r.action !== 'inject') throw new Error('unreachable');
  const out = applied(pod, r.patch);
  assert.deepEqual(validateObject(out as never), [], 'patched pod must validate against the Pod schema');
  return { out, identity: r.identity, warnings: r.warnings };
}

describe('injector patch on Online Boutique pods', () => {
  const pods = boutiquePods();

  it('renders every Online Boutique Deployment with the opt-in annotation', () => {
    assert.equal(pods.length, 11);
    for (const p of pods) assert.equal(p.metadata?.annotations?.[ANNOTATIONS.inject], 'enabled', p.metadata?.labels?.app);
  });

  for (const pod of pods) {
    const app = pod.metadata!.labels!.app;
    it(`injects ${app}: init + native sidecar first, app containers untouched, identity from its ServiceAccount`, () => {
      const { out, identity } = injected(pod);
      assert.deepEqual(names(out.spec!.initContainers), [INIT_CONTAINER, PROXY_CONTAINER]);
      assert.deepEqual(out.spec!.containers, pod.spec!.containers, 'app containers, ports and probes are unchanged');
      assert.equal(identity, `spiffe://cluster.local/ns/boutique/sa/${pod.spec!.serviceAccountName}`);
      const [init, proxy] = out.spec!.initContainers!;
      assert.equal(proxy.restartPolicy, 'Always');
      assert.equal(proxy.securityContext?.runAsUser, PROXY_UID);
      assert.equal(proxy.securityContext?.runAsGroup, 1000, "the pod's fsGroup owns the token and scratch volumes");
      assert.equal(proxy.securityContext?.readOnlyRootFilesystem, true);
      assert.deepEqual(proxy.securityContext?.capabilities, { drop: ['ALL'] });
      assert.deepEqual(init.securityContext?.capabilities, { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] });
      // The init container runs exactly the shared interception rules, skipping the proxy's admin port.
      const rules = JSON.parse(init.args![init.args!.indexOf('--rules') + 1]);
      assert.deepEqual(rules, interceptRules({ proxyUid: PROXY_UID, inboundPort: 4143, outboundPort: 4140, skipInboundPorts: [4191] }));
      const env = Object.fromEntries(proxy.env!.map((e) => [e.name, e.value ?? e.valueFrom?.fieldRef?.fieldPath]));
      assert.equal(env.MESH_SERVICE, app);
      assert.equal(env.MESH_SERVICE_ACCOUNT, 'spec.serviceAccountName');
      assert.equal(env.MESH_HOST_IP, 'status.hostIP');
      assert.equal(env.MESH_TRUST_ANCHOR, CFG.rootPem);
      // Redis is server-speaks-first: opaque by the workload's port flag (and the default list).
      if (app === 'redis-cart') assert.equal(pod.metadata!.annotations![ANNOTATIONS.opaquePorts], '6379');
      assert.ok(String(env.MESH_OPAQUE_PORTS).split(',').includes('6379'));
      const token = out.spec!.volumes!.find((v) => v.name === 'mesh-token')!;
      assert.equal(token.projected!.sources![0].serviceAccountToken!.audience, TOKEN_AUDIENCE);
      assert.equal(out.metadata!.annotations![ANNOTATIONS.injected], CFG.version);
      // Volumes the app had (redis /data) are kept, ours appended.
      for (const v of pod.spec!.volumes ?? []) assert.ok(out.spec!.volumes!.some((w) => w.name === v.name));
      // Startup probe on the admin port gates the app containers.
      assert.equal(proxy.startupProbe?.httpGet?.port, 4191);
    });
  }

  it('is idempotent: an injected pod is admitted unchanged', () => {
    const { out } = injected(pods[0]);
    const again = injectPatch(out, 'boutique', CFG);
    assert.equal(again.action, 'skip');
    assert.deepEqual(again.action === 'skip' && again.patch, []);
  });
});

describe('injector patch on other pods', () => {
  const base = (): V1Pod => podOf(boutiqueObjects().find((o) => o.kind === 'Deployment' && o.metadata.name === 'productcatalogservice')!);

  it('leaves pods that did not opt in alone', () => {
    const pod = base();
    delete pod.metadata!.annotations;
    const r = injectPatch(pod, 'boutique', CFG);
    assert.equal(r.action, 'skip');
    assert.deepEqual(r.action === 'skip' && r.patch, []);
  });

  it('adds the proxy next to an existing sidecar and warns that they share it', () => {
    const pod = base();
    pod.spec!.containers.push({ name: 'log-shipper', image: 'busybox:1.36', args: ['sleep', 'infinity'] });
    const { out, warnings } = injected(pod);
    assert.deepEqual(names(out.spec!.containers), ['server', 'log-shipper']);
    assert.match(warnings.join(), /2 containers/);
  });

  it('puts its init containers before existing ones, so those already go through the proxy', () => {
    const pod = base();
    pod.spec!.initContainers = [
      { name: 'wait-frontend', image: 'busybox:1.36', command: ['sh', '-c', 'until wget -qO- http://frontend:80/_healthz; do sleep 1; done'] },
      { name: 'migrate', image: 'busybox:1.36', command: ['true'] },
    ];
    const { out } = injected(pod);
    assert.deepEqual(names(out.spec!.initContainers), [INIT_CONTAINER, PROXY_CONTAINER, 'wait-frontend', 'migrate']);
  });

  it('works on a bare pod with no annotations map beyond the opt-in, no volumes and no init containers', () => {
    const pod: V1Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bare', annotations: { [ANNOTATIONS.inject]: 'enabled' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } };
    const { out, identity } = injected(pod);
    assert.equal(identity, 'spiffe://cluster.local/ns/boutique/sa/default');
    assert.equal(out.spec!.initContainers![1].securityContext?.runAsGroup, PROXY_UID, 'no fsGroup: the proxy uid as group');
    assert.deepEqual(out.spec!.volumes!.map((v) => v.name), ['mesh-token', 'mesh-run']);
  });

  it('skips hostNetwork pods with a reason annotation and a warning, adding no containers', () => {
    const pod = base();
    pod.spec!.hostNetwork = true;
    const r = injectPatch(pod, 'boutique', CFG);
    assert.equal(r.action, 'skip');
    if (r.action !== 'skip') return;
    const out = applied(pod, r.patch);
    assert.match(out.metadata!.annotations![ANNOTATIONS.skipped], /hostNetwork/);
    assert.equal(out.spec!.initContainers, undefined);
    assert.match(r.warnings[0], /not injected/);
  });

  it('honours skip-inbound/outbound ports in the rules', () => {
    const pod = base();
    pod.metadata!.annotations![ANNOTATIONS.skipInboundPorts] = '9090, 9091';
    pod.metadata!.annotations![ANNOTATIONS.skipOutboundPorts] = '443';
    const { out } = injected(pod);
    const rules: string[][] = JSON.parse(out.spec!.initContainers![0].args![1]);
    const flat = rules.map((r) => r.join(' '));
    assert.ok(flat.includes('-t nat -A MESH_INBOUND -p tcp --dport 9090 -j RETURN'));
    assert.ok(flat.includes('-t nat -A MESH_INBOUND -p tcp --dport 4191 -j RETURN'));
    assert.ok(flat.includes('-t nat -A MESH_OUTPUT -p tcp --dport 443 -j RETURN'));
  });

  it('refuses a malformed port annotation, naming it', () => {
    const pod = base();
    pod.metadata!.annotations![ANNOTATIONS.skipInboundPorts] = '80,http';
    const r = injectPatch(pod, 'boutique', CFG);
    assert.equal(r.action, 'deny');
    assert.match(r.action === 'deny' ? r.reason : '', /skip-inbound-ports: "http" is not a TCP port/);
  });

  it('refuses an app on the proxy ports or running as the proxy uid', () => {
    const clash = base();
    clash.spec!.containers[0].ports = [{ containerPort: 4191 }];
    const r1 = injectPatch(clash, 'boutique', CFG);
    assert.match(r1.action === 'deny' ? r1.reason : '', /port 4191/);
    const uid = base();
    uid.spec!.securityContext = { ...uid.spec!.securityContext, runAsUser: PROXY_UID };
    const r2 = injectPatch(uid, 'boutique', CFG);
    assert.match(r2.action === 'deny' ? r2.reason : '', /bypass the proxy/);
  });
});
