// The control plane's Kubernetes modules against a loopback API server through the real @kubernetes/client-node:
// TokenReview identity, EndpointSlice + pod discovery (list + watch), MeshPolicy watch, and the CLI through the
// service proxy to a real control plane's operator API.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as https from 'node:https';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import jsonpatch from 'fast-json-patch';
import type { V1Pod } from '@kubernetes/client-node';
import { startFakeApiServer, type FakeApiServer } from './fake-apiserver.ts';
import { apiTokenReviewer, identityFromReview, ServiceAccountAuthenticator } from './tokenreview.ts';
import { buildEndpoints, buildVirtualIps, KubeDiscovery, type KubeEndpoint, type KubeVirtualIp } from './discovery.ts';
import { KubePolicyWatch } from './policy-watch.ts';
import { policyObject } from './crd.ts';
import { injectPatch } from './inject.ts';
import { runKubeCommand } from './cli.ts';
import { OPERATOR_PROXY_PATH } from './kube-mesh.ts';
import { boutiqueObjects, boutiquePods, CFG } from './test-fixtures.ts';
import { TOKEN_AUDIENCE } from './constants.ts';
import { startControlPlane } from '../control-plane/server.ts';
import { ensureCa } from '../shared/pki.ts';
import { issueServingCert } from './webhook.ts';
import { inClusterConfig } from './apiclient.ts';
import { startKubeExtension, type KubeControlPlaneExtension } from './control-plane-ext.ts';
import { ControlPlaneClient } from '../proxy/control.ts';
import { CONTROL_PLANE_NS, CONTROL_PLANE_SA } from '../control-plane/server.ts';
import { spiffeId } from '../shared/pki.ts';
import type { Snapshot } from '../shared/config.ts';
import type { MeshPolicy } from '../../types.ts';

const PODS = '/api/v1/pods';
const SLICES = '/apis/discovery.k8s.io/v1/endpointslices';
const POLICIES = '/apis/mesh.meshbench.io/v1alpha1/meshpolicies';
const SERVICES = '/api/v1/services';

/** The Service objects the workload renderer makes, with the ClusterIP the API server would assign. */
function serviceObject(name: string, clusterIP: string) {
  const svc = boutiqueObjects().find((o) => o.kind === 'Service' && o.metadata.name === name)!;
  return { ...svc, spec: { ...(svc.spec as object), clusterIP, clusterIPs: [clusterIP] } };
}

async function until<T>(what: string, get: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** An Online Boutique pod after injection and scheduling: patched by the injector, with a uid, an IP, Running. */
function runningPod(app: string, ip: string, inject = true): V1Pod {
  const pod = boutiquePods().find((p) => p.metadata?.labels?.app === app)!;
  const r = injectPatch(pod, 'boutique', CFG);
  const out: V1Pod = inject && r.action === 'inject' ? jsonpatch.applyPatch(pod, r.patch as jsonpatch.Operation[], true, false).newDocument : pod;
  out.metadata!.uid = `uid-${app}`;
  out.status = { phase: 'Running', podIP: ip, hostIP: '172.18.0.2' };
  return out;
}

function sliceFor(service: string, port: { name: string; port: number; appProtocol?: string }, pods: V1Pod[]) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-abcde`, namespace: 'boutique', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ ...port, protocol: 'TCP' }],
    endpoints: pods.map((p) => ({ addresses: [p.status!.podIP!], conditions: { ready: true }, targetRef: { kind: 'Pod', name: p.metadata!.name, namespace: 'boutique', uid: p.metadata!.uid } })),
  };
}

describe('TokenReview identity', () => {
  let api: FakeApiServer;
  let reviews = 0;
  let dir: string;
  before(async () => {
    // Over TLS, with the API server's CA as the in-cluster config hands it to the control plane.
    dir = mkdtempSync(join(tmpdir(), 'meshbench-tokenreview-'));
    const ca = await ensureCa(join(dir, 'api-ca'), 'api.test');
    api = await startFakeApiServer({
      token: 'cp-sa-token',
      tls: { ...(await issueServingCert(ca, ['localhost'])), caPem: ca.rootPem },
      tokenReview: (spec) => {
        reviews++;
        if (spec.token === 'frontend-token') {
          return { authenticated: true, audiences: spec.audiences, user: { username: 'system:serviceaccount:boutique:frontend', uid: 'u1', extra: { 'authentication.kubernetes.io/pod-name': ['frontend-5f7c9d8b6-x2x7q'], 'authentication.kubernetes.io/pod-uid': ['uid-frontend'] } } };
        }
        if (spec.token === 'other-audience') return { authenticated: true, audiences: [], user: { username: 'system:serviceaccount:boutique:frontend' } };
        if (spec.token === 'a-user') return { authenticated: true, audiences: spec.audiences, user: { username: 'kubernetes-admin', groups: ['system:masters'] } };
        return { authenticated: false, error: 'invalid bearer token' };
      },
    });
  });
  after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps a reviewed projected token to the SPIFFE id of its ServiceAccount, and caches the answer', async () => {
    const auth = new ServiceAccountAuthenticator(apiTokenReviewer(api.client()), { trustDomain: 'cluster.local', audience: TOKEN_AUDIENCE });
    const id = await auth.authenticate('frontend-token');
    assert.deepEqual(id, { namespace: 'boutique', serviceAccount: 'frontend', identity: 'spiffe://cluster.local/ns/boutique/sa/frontend', pod: 'frontend-5f7c9d8b6-x2x7q', podUid: 'uid-frontend' });
    const before = reviews;
    await auth.authenticate('frontend-token');
    assert.equal(reviews, before, 'second call within the cache window sends no TokenReview');
    assert.ok(api.requests.includes('POST /apis/authentication.k8s.io/v1/tokenreviews'));
  });

  it('refuses invalid tokens, tokens for another audience, and users that are not ServiceAccounts', async () => {
    const auth = new ServiceAccountAuthenticator(apiTokenReviewer(api.client()), { trustDomain: 'cluster.local', audience: TOKEN_AUDIENCE });
    await assert.rejects(auth.authenticate('forged'), /rejected by the API server: invalid bearer token/);
    await assert.rejects(auth.authenticate('other-audience'), /not for audience "meshbench-custom-mesh"/);
    await assert.rejects(auth.authenticate('a-user'), /"kubernetes-admin", not a ServiceAccount/);
    await assert.rejects(auth.authenticate(''), /no bearer token/);
  });

  it('does not cache a review past the token expiry', async () => {
    let now = 1_000_000;
    let calls = 0;
    const exp = Math.floor((now + 5_000) / 1000);
    const token = `h.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.s`;
    const auth = new ServiceAccountAuthenticator(
      async (_t, aud) => {
        calls++;
        return { authenticated: true, audiences: [...aud], user: { username: 'system:serviceaccount:boutique:cartservice' } };
      },
      { trustDomain: 'td', audience: 'a', now: () => now },
    );
    await auth.authenticate(token);
    now += 4_000;
    await auth.authenticate(token);
    assert.equal(calls, 1);
    now += 2_000;
    await auth.authenticate(token);
    assert.equal(calls, 2, 'expired token is reviewed again');
    assert.throws(() => identityFromReview({ authenticated: true, audiences: ['a'], user: { username: 'system:serviceaccount:Bad_NS:x' } }, 'a', 'td'), /not a ServiceAccount/);
  });
});

describe('discovery from EndpointSlices and pods', () => {
  let api: FakeApiServer;
  before(async () => {
    api = await startFakeApiServer({ token: 'cp-sa-token' });
  });
  after(() => api.close());

  it('builds endpoints for meshed pods only, with Service target ports, opaque ports and the readiness probe', () => {
    const fe = runningPod('frontend', '10.244.0.10');
    const redis = runningPod('redis-cart', '10.244.0.11');
    const plain = runningPod('adservice', '10.244.0.12', false);
    const eps = buildEndpoints(
      [fe, redis, plain],
      [sliceFor('frontend', { name: 'http', port: 8080, appProtocol: 'http' }, [fe]), sliceFor('frontend-external', { name: 'http', port: 8080 }, [fe]), sliceFor('redis-cart', { name: 'tcp-redis', port: 6379, appProtocol: 'tcp' }, [redis]), sliceFor('adservice', { name: 'grpc', port: 9555 }, [plain])],
      'cluster.local',
    );
    assert.deepEqual(eps.map((e) => e.pod), ['frontend-5f7c9d8b6-x2x7q', 'redis-cart-5f7c9d8b6-x2x7q']);
    const [f, r] = eps;
    assert.equal(f.service, 'frontend', 'two Services select the pod; its mesh service is its app');
    assert.deepEqual(f.ports, [8080]);
    assert.deepEqual(f.health, { kind: 'http', port: 8080, path: '/_healthz' });
    assert.equal(f.identity, 'spiffe://cluster.local/ns/boutique/sa/frontend');
    assert.deepEqual(r.opaquePorts, [6379]);
    assert.deepEqual(r.health, { kind: 'tcp', port: 6379 });
  });

  it('maps Service virtual IPs to target ports and pods (what the outbound proxy must resolve)', () => {
    const fe = runningPod('frontend', '10.244.0.10');
    const email = runningPod('emailservice', '10.244.0.13');
    const headless = { ...serviceObject('cartservice', 'None') };
    const vips = buildVirtualIps(
      [serviceObject('frontend', '10.96.0.80'), serviceObject('frontend-external', '10.96.0.81'), serviceObject('emailservice', '10.96.0.50'), headless] as never,
      [sliceFor('frontend', { name: 'http', port: 8080 }, [fe]), sliceFor('frontend-external', { name: 'http', port: 8080 }, [fe]), sliceFor('emailservice', { name: 'grpc', port: 8080 }, [email])] as never,
    );
    assert.deepEqual(
      vips.map((v) => `${v.ip}:${v.port} -> ${v.service} :${v.targetPort} [${v.pods.join(',')}]`),
      [
        '10.96.0.50:5000 -> emailservice :8080 [emailservice-5f7c9d8b6-x2x7q]',
        '10.96.0.80:80 -> frontend :8080 [frontend-5f7c9d8b6-x2x7q]',
        '10.96.0.81:80 -> frontend-external :8080 [frontend-5f7c9d8b6-x2x7q]',
      ],
    );
  });

  it('follows adds and deletes through the informers (list, then watch)', async () => {
    const seen: KubeEndpoint[][] = [];
    const cart = runningPod('cartservice', '10.244.0.20');
    api.put(PODS, cart as never);
    api.put(SLICES, sliceFor('cartservice', { name: 'grpc', port: 7070, appProtocol: 'kubernetes.io/h2c' }, [cart]) as never);
    const d = new KubeDiscovery(api.client(), { trustDomain: 'cluster.local', onChange: (l) => seen.push(l), debounceMs: 20 });
    try {
      await d.start();
      const first = await until('initial list', () => seen.find((l) => l.length === 1));
      assert.deepEqual(first[0].health, { kind: 'grpc', port: 7070 });
      const email = runningPod('emailservice', '10.244.0.21');
      api.put(PODS, email as never);
      api.put(SLICES, sliceFor('emailservice', { name: 'grpc', port: 8080 }, [email]) as never);
      const both = await until('watched add', () => seen.find((l) => l.length === 2));
      assert.deepEqual(both.map((e) => e.service), ['cartservice', 'emailservice']);
      api.remove(PODS, cart.metadata!.name!, 'boutique');
      const after = await until('watched delete', () => (seen.at(-1)!.length === 1 && seen.at(-1)![0].service === 'emailservice' ? seen.at(-1) : undefined));
      assert.equal(after[0].ip, '10.244.0.21');
      assert.ok(api.requests.includes(`GET ${PODS} (watch)`) && api.requests.includes(`GET ${SLICES} (watch)`));
    } finally {
      d.stop();
    }
  });

  it('re-lists after the API server expires a watch (410 Gone), missing nothing', async () => {
    const seen: KubeEndpoint[][] = [];
    const d = new KubeDiscovery(api.client(), { trustDomain: 'cluster.local', onChange: (l) => seen.push(l), debounceMs: 20 });
    const lists = () => api.requests.filter((r) => r === `GET ${PODS}`).length;
    try {
      await d.start();
      const before = lists();
      api.expireWatches(PODS);
      const pay = runningPod('paymentservice', '10.244.0.22');
      api.put(PODS, pay as never);
      await until('payment after re-list', () => seen.at(-1)?.find((e) => e.service === 'paymentservice'));
      await until('a second list', () => (lists() > before ? true : undefined));
    } finally {
      d.stop();
    }
  });

  it('resumes a watch the server ended normally from the last version, without listing again', async () => {
    const seen: KubeEndpoint[][] = [];
    const d = new KubeDiscovery(api.client(), { trustDomain: 'cluster.local', onChange: (l) => seen.push(l), debounceMs: 20 });
    const lists = () => api.requests.filter((r) => r === `GET ${PODS}`).length;
    const watches = () => api.requests.filter((r) => r === `GET ${PODS} (watch)`).length;
    try {
      await d.start();
      const listsBefore = lists();
      const watchesBefore = watches();
      api.expireWatches(PODS, false);
      await until('a new watch', () => (watches() > watchesBefore ? true : undefined));
      const ship = runningPod('shippingservice', '10.244.0.23');
      api.put(PODS, ship as never);
      await until('shipping through the resumed watch', () => seen.at(-1)?.find((e) => e.service === 'shippingservice'));
      assert.equal(lists(), listsBefore, 'no re-list after a normal end');
    } finally {
      d.stop();
    }
  });

  it('merges MeshPolicy objects as they change (strictest default, rules added up)', async () => {
    const seen: MeshPolicy[] = [];
    const w = new KubePolicyWatch(api.client(), { onChange: (p) => seen.push(p), debounceMs: 20 });
    assert.equal(w.mtls(), true, 'no objects: mTLS on');
    try {
      await w.start();
      await until('empty policy', () => seen.find((p) => p.default === 'all-unauthenticated' && p.allow.length === 0));
      api.put(POLICIES, policyObject({ default: 'all-authenticated', allow: [{ to: 'cartservice', port: 7070, from: ['frontend'] }] }, 'boutique') as never);
      api.put(POLICIES, policyObject({ default: 'deny', allow: [{ to: 'redis-cart', port: 6379, from: ['cartservice'] }] }, 'boutique', {}, 'redis') as never);
      const merged = await until('merged policy', () => seen.find((p) => p.allow.length === 2));
      assert.equal(merged.default, 'deny');
      assert.deepEqual(merged.allow.map((r) => r.to).sort(), ['cartservice', 'redis-cart']);
    } finally {
      w.stop();
    }
  });
});

describe('control plane Kubernetes extension', () => {
  let dir: string;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let api: FakeApiServer;
  let operatorPort: number;
  let proxyApiPort: number;
  const reviewed: string[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meshbench-ext-'));
    operatorPort = await freePort();
    proxyApiPort = await freePort();
    // Wired as main/control-plane.ts does: the server starts with a late-bound extension (the extension pushes policy
    // to the operator API, which must be up first).
    const pending: Parameters<KubeControlPlaneExtension['onEndpoints']>[0][] = [];
    const late: KubeControlPlaneExtension = {
      authenticate: (t) => (ext ? ext.authenticate(t) : Promise.reject(new Error('control plane still starting'))),
      onEndpoints: (cb) => (ext ? ext.onEndpoints(cb) : pending.push(cb)),
      stop: () => ext?.stop(),
    };
    cp = await startControlPlane({ dir, trustDomain: 'cluster.local', nodeIp: '', listenIp: '127.0.0.1', proxyApiPort, operatorApiPort: operatorPort, certLifetimeMs: 3600_000, kube: late });
    const ca = await ensureCa(join(dir, 'api-ca'), 'api.test');
    api = await startFakeApiServer({
      token: 'cp-sa-token',
      tls: { ...(await issueServingCert(ca, ['localhost'])), caPem: ca.rootPem },
      tokenReview: (spec) =>
        (reviewed.push(spec.token), spec.token.startsWith('bound'))
          ? { authenticated: true, audiences: spec.audiences, user: { username: 'system:serviceaccount:boutique:cartservice', extra: { 'authentication.kubernetes.io/pod-name': ['cartservice-5f7c9d8b6-x2x7q'] } } }
          : { authenticated: true, audiences: spec.audiences, user: { username: 'system:serviceaccount:boutique:cartservice' } },
    });
    // The in-cluster config, from the files and variables every pod gets.
    const sa = join(dir, 'serviceaccount');
    mkdirSync(sa);
    writeFileSync(join(sa, 'token'), 'cp-sa-token');
    writeFileSync(join(sa, 'ca.crt'), ca.rootPem);
    const port = new URL(api.url).port;
    const cfg = inClusterConfig({ KUBERNETES_SERVICE_HOST: 'localhost', KUBERNETES_SERVICE_PORT: port }, sa);
    assert.equal(cfg.server, `https://localhost:${port}`);
    const cart = runningPod('cartservice', '10.244.0.30');
    api.put(PODS, cart as never);
    api.put(SLICES, sliceFor('cartservice', { name: 'grpc', port: 7070 }, [cart]) as never);
    api.put(SERVICES, serviceObject('cartservice', '10.96.0.70') as never);
    api.put(POLICIES, policyObject({ default: 'all-authenticated', allow: [{ to: 'cartservice', port: 7070, from: ['frontend', 'checkoutservice'] }] }, 'boutique') as never);
    ext = await startKubeExtension({ api: cfg, trustDomain: 'cluster.local', dir, operatorUrl: `http://127.0.0.1:${operatorPort}`, log: (l) => lines.push(l) });
    for (const cb of pending.splice(0)) ext.onEndpoints(cb);
  });
  let ext: Awaited<ReturnType<typeof startKubeExtension>>;
  const lines: string[] = [];
  after(async () => {
    ext?.stop();
    await api?.close();
    await cp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes the merged MeshPolicy objects into the running control plane', async () => {
    const deadline = Date.now() + 10_000;
    const current = async () => (await (await fetch(`http://127.0.0.1:${operatorPort}/api/policy`)).json()) as { policy: MeshPolicy; mtls: boolean };
    for (;;) {
      const r = await current();
      if (r.policy.default === 'all-authenticated') {
        assert.deepEqual(r.policy.allow, [{ to: 'cartservice', port: 7070, from: ['frontend', 'checkoutservice'] }]);
        assert.equal(r.mtls, true);
        break;
      }
      if (Date.now() > deadline) throw new Error(`policy never arrived: ${JSON.stringify(r)} ${lines.join('; ')}`);
      await sleep(50);
    }
    // The "mesh without mTLS" profile object turns mTLS off in the running control plane.
    api.put(POLICIES, policyObject({ default: 'all-unauthenticated', allow: [] }, 'mesh-system', {}, 'profile', false) as never);
    while ((await current()).mtls !== false) {
      if (Date.now() > deadline) throw new Error(`mTLS switch never arrived: ${lines.join('; ')}`);
      await sleep(50);
    }
  });

  it('hands discovered endpoints to the control plane and authenticates pod-bound tokens only', async () => {
    const [eps, vips] = await new Promise<[KubeEndpoint[], KubeVirtualIp[]]>((resolve) => ext.onEndpoints((l, v) => l.length && v.length && resolve([l, v])));
    assert.deepEqual(eps.map((e) => [e.pod, e.ip, e.identity]), [['cartservice-5f7c9d8b6-x2x7q', '10.244.0.30', 'spiffe://cluster.local/ns/boutique/sa/cartservice']]);
    assert.deepEqual(vips, [{ ip: '10.96.0.70', port: 7070, targetPort: 7070, service: 'cartservice', namespace: 'boutique', pods: ['cartservice-5f7c9d8b6-x2x7q'] }]);
    const id = await ext.authenticate('bound');
    assert.equal(id.pod, 'cartservice-5f7c9d8b6-x2x7q');
    assert.equal(id.identity, eps[0].identity);
    await assert.rejects(ext.authenticate('legacy-secret-token'), /not bound to a pod/);
  });

  it('certifies a proxy by its projected token, re-read on every request, and sends it endpoints and Service addresses', async () => {
    const tokenFile = join(dir, 'proxy-token');
    const rootFile = join(dir, 'proxy-root.pem');
    writeFileSync(tokenFile, 'bound-1');
    writeFileSync(rootFile, cp.rootPem);
    const boot = {
      pod: 'cartservice-5f7c9d8b6-x2x7q', podIp: '10.244.0.30', namespace: 'boutique', serviceAccount: 'cartservice', service: 'cartservice',
      controlPlane: `https://127.0.0.1:${proxyApiPort}`, controlPlaneId: spiffeId('cluster.local', CONTROL_PLANE_NS, CONTROL_PLANE_SA),
      rootFile, tokenFile, inboundPort: 4143, outboundPort: 4140, adminPort: 4191, readyFile: join(dir, 'ready'), addonPath: '', drainMs: 100, requestTimeoutMs: 1000,
    };
    const client = new ControlPlaneClient(boot, (l) => lines.push(l));
    try {
      const cert = await client.certify();
      assert.equal(cert.identity, 'spiffe://cluster.local/ns/boutique/sa/cartservice');
      // The kubelet rotates the token file in place: the next request presents the new token.
      writeFileSync(tokenFile, 'bound-2');
      await client.certify();
      assert.ok(reviewed.includes('bound-1') && reviewed.includes('bound-2'), `tokens reviewed: ${reviewed.join(', ')}`);
      const snap = await new Promise<Snapshot>((resolve) => void client.watch((s) => s.virtualIps?.length && resolve(s)));
      assert.deepEqual(snap.endpoints.map((e) => [e.pod, e.ip]), [['cartservice-5f7c9d8b6-x2x7q', '10.244.0.30']]);
      assert.deepEqual(snap.virtualIps, [{ ip: '10.96.0.70', port: 7070, targetPort: 7070, service: 'cartservice', pods: ['cartservice-5f7c9d8b6-x2x7q'] }]);
    } finally {
      client.stop();
    }
    // A token the API server does not bind to a pod is refused with the reason; registrations are discovery's job.
    const refused = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: proxyApiPort, path: '/v1/watch', ca: cp.rootPem, checkServerIdentity: () => undefined, headers: { authorization: 'Bearer legacy-secret-token' } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject).end();
    });
    assert.equal(refused.status, 401);
    assert.match(refused.text, /not bound to a pod/);
    const post = await fetch(`http://127.0.0.1:${operatorPort}/api/pods`, { method: 'POST', headers: { authorization: `Bearer ${readFileSync(join(dir, 'operator-token'), 'utf8').trim()}` }, body: '{}' });
    assert.equal(post.status, 409);
  });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('CLI through the API server service proxy', () => {
  let dir: string;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let api: FakeApiServer;
  let operatorPort: number;
  let kubeconfig: string;
  let tls: { keyPem: string; chainPem: string; caPem: string };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meshbench-kcli-'));
    operatorPort = await freePort();
    cp = await startControlPlane({ dir, trustDomain: 'cluster.local', nodeIp: '', listenIp: '127.0.0.1', proxyApiPort: await freePort(), operatorApiPort: operatorPort, certLifetimeMs: 3600_000 });
    const ca = await ensureCa(join(dir, 'api-ca'), 'api.test');
    tls = { ...(await issueServingCert(ca, ['localhost'])), caPem: ca.rootPem };
    api = await startFakeApiServer({ token: 'admin-token', tls, serviceProxy: { [OPERATOR_PROXY_PATH]: `http://127.0.0.1:${operatorPort}` } });
    kubeconfig = api.kubeconfigFile(join(dir, 'kubeconfig'));
  });
  after(async () => {
    await api?.close();
    await cp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('check reports a registered pod that has no certificate yet as a problem', async () => {
    const token = readFileSync(join(dir, 'operator-token'), 'utf8').trim();
    const r = await fetch(`http://127.0.0.1:${operatorPort}/api/pods`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ pod: 'frontend-5f7c9d8b6-x2x7q', ip: '10.244.0.10', service: 'frontend', namespace: 'boutique', serviceAccount: 'frontend', token: 'x', ports: [8080], opaquePorts: [] }),
    });
    assert.equal(r.status, 200);
    const check = await runKubeCommand('check', { kubeconfig });
    assert.equal(check.ok, false);
    assert.match(check.text, /BAD frontend-5f7c9d8b6-x2x7q \(spiffe:\/\/cluster\.local\/ns\/boutique\/sa\/frontend\): no certificate issued yet/);
    assert.ok(api.requests.includes(`GET ${OPERATOR_PROXY_PATH}/api/check`));
  });

  it('stat and edges print tables (JSON on request)', async () => {
    const stat = await runKubeCommand('stat', { kubeconfig });
    assert.match(stat.text, /^SERVICE\s+PODS\s+SUCCESS/);
    const edges = await runKubeCommand('edges', { kubeconfig, json: true });
    assert.deepEqual(JSON.parse(edges.text), []);
    await assert.rejects(runKubeCommand('tap', { kubeconfig }), /unknown command "tap"/);
  });

  it('runs as a command: exit 1 and the report when a pod has problems, exit 2 with the reason on bad use', async () => {
    const cli = fileURLToPath(new URL('./main/cli.ts', import.meta.url));
    // Asynchronously: the fake API server answering it lives in this process.
    const run = (args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, ['--import', 'tsx', cli, ...args], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr })),
      );
    const r = await run(['check', '--kubeconfig', kubeconfig]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /control plane: PROBLEMS/);
    const bad = await run(['tap']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /usage: cli\.ts <check\|stat\|edges>/);
  });

  it('says what to check when the control plane is not there', async () => {
    const empty = await startFakeApiServer({ token: 'admin-token', tls });
    try {
      await assert.rejects(runKubeCommand('check', { kubeconfig: empty.kubeconfigFile(join(dir, 'kubeconfig-empty')) }), /control plane not reachable through the API server/);
    } finally {
      await empty.close();
    }
  });
});
