// What the control plane needs from Kubernetes, as one object it can be handed (`ControlPlaneOptions.kube`):
// proxies authenticated by TokenReview instead of bootstrap tokens, endpoints from EndpointSlices instead of
// POST /api/pods registrations, and policy from MeshPolicy objects.
//
// Where it plugs into control-plane/server.ts (the lead wires it):
//   1. ControlPlaneOptions gains `kube?: KubeControlPlaneExtension`.
//   2. podByToken(req) becomes async. With opts.kube: `const id = await opts.kube.authenticate(bearer)` (throws →
//      401 with the message); the caller is `state.pods[id.pod]` when discovery already has the pod and its
//      namespace/serviceAccount equal the review's, else a registration made from the review alone
//      ({ pod: id.pod, namespace, serviceAccount, identity: id.identity, ip: '', service: '', ports: [] }), so a proxy
//      that starts before its EndpointSlice is seen can still be certified. /v1/certify then signs for
//      spiffeId(td, id.namespace, id.serviceAccount) exactly as today.
//   3. At start: `opts.kube.onEndpoints((eps, vips) => { state.pods = Object.fromEntries(eps.map((e) => [e.pod,
//      { ...e, tokenSha256: '' }])); state.virtualIps = vips; publish(); })` — POST /api/pods is then refused on
//      Kubernetes. The snapshot gains `virtualIps` (additive field of shared/config.ts Snapshot).
//   5. proxy/outbound.ts: apps on Kubernetes dial Service ClusterIPs, which the REDIRECT hands to the proxy before
//      kube-proxy can translate them. When `byIp` has no endpoint for the original destination, look it up in the
//      snapshot's virtualIps (ip + port): the Service's pods are the candidates (balance over their endpoints) and
//      `targetPort` is the port to dial on the chosen pod; only then fall back to passthrough.
//   4. Policy needs no change: the extension PUTs the merged MeshPolicy to the operator API on loopback.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MeshPolicy } from '../../types.ts';
import { ApiClient, type ApiConfig } from './apiclient.ts';
import { apiTokenReviewer, ServiceAccountAuthenticator, type ReviewedIdentity } from './tokenreview.ts';
import { KubeDiscovery, type KubeEndpoint, type KubeVirtualIp } from './discovery.ts';
import { KubePolicyWatch } from './policy-watch.ts';
import { TOKEN_AUDIENCE } from './constants.ts';

export interface KubeControlPlaneExtension {
  authenticate(bearerToken: string): Promise<ReviewedIdentity & { pod: string }>;
  /** Every change of the discovered endpoints and Service virtual IPs (and the current ones at once). */
  onEndpoints(cb: (endpoints: KubeEndpoint[], virtualIps: KubeVirtualIp[]) => void): void;
  stop(): void;
}

export interface KubeExtensionOptions {
  api: ApiConfig;
  trustDomain: string;
  /** Control plane state dir (holds operator-token) and the operator API, for pushing policy. */
  dir: string;
  operatorUrl: string;
  log: (line: string) => void;
}

export async function startKubeExtension(o: KubeExtensionOptions): Promise<KubeControlPlaneExtension> {
  const api = new ApiClient(o.api);
  const auth = new ServiceAccountAuthenticator(apiTokenReviewer(api), { trustDomain: o.trustDomain, audience: TOKEN_AUDIENCE });
  const listeners: ((eps: KubeEndpoint[], vips: KubeVirtualIp[]) => void)[] = [];
  let latest: KubeEndpoint[] = [];
  let latestVips: KubeVirtualIp[] = [];
  const discovery = new KubeDiscovery(api, {
    trustDomain: o.trustDomain,
    onChange: (eps, vips) => {
      latest = eps;
      latestVips = vips;
      o.log(`discovery: ${eps.length} meshed pods, ${vips.length} Service addresses`);
      for (const l of listeners) l(eps, vips);
    },
    onError: (err) => o.log(`discovery watch: ${(err as Error).message} (re-listing)`),
  });
  const pushPolicy = async (policy: MeshPolicy, mtls: boolean) => {
    const token = readFileSync(join(o.dir, 'operator-token'), 'utf8').trim();
    const r = await fetch(`${o.operatorUrl}/api/policy`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ policy, mtls }) });
    if (!r.ok) throw new Error(`operator API refused the merged policy: HTTP ${r.status} ${await r.text()}`);
    o.log(`policy: default ${policy.default}, ${policy.allow.length} allow rules, mTLS ${mtls ? 'on' : 'off'}`);
  };
  const policy = new KubePolicyWatch(api, {
    onChange: (p, mtls) => void pushPolicy(p, mtls).catch((err) => o.log(`policy: ${(err as Error).message}`)),
    onError: (err) => o.log(`policy watch: ${(err as Error).message} (re-listing)`),
  });
  await Promise.all([discovery.start(), policy.start()]);
  return {
    async authenticate(token) {
      const id = await auth.authenticate(token);
      // Projected tokens are bound to their pod; a legacy Secret token has no pod and is not accepted.
      if (!id.pod) throw new Error('token is not bound to a pod: mount a projected ServiceAccount token (the injector does)');
      return { ...id, pod: id.pod };
    },
    onEndpoints(cb) {
      listeners.push(cb);
      cb(latest, latestVips);
    },
    stop() {
      discovery.stop();
      policy.stop();
    },
  };
}
