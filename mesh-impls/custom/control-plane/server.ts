// The control plane: CA + issuance, discovery and policy pushed over a watch stream, metrics aggregation, and the
// operator API (CLI + dashboard). State (registered pods, policy) lives in `<dir>/state.json` so a restarted control
// plane resumes where it stopped; proxies keep serving on their last snapshot meanwhile.
import * as http from 'node:http';
import * as https from 'node:https';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCa, makeKeyAndCsr, signCsr, spiffeId, type Ca } from '../shared/pki.ts';
import type { Endpoint, ProxyReport, Snapshot, VirtualIp } from '../shared/config.ts';
import type { KubeControlPlaneExtension } from '../k8s/control-plane-ext.ts';
import type { MeshPolicy } from '../../types.ts';
import { edges, serviceStats, type PodReports } from './stats.ts';
import { validatePolicy } from './policy.ts';
import { DASHBOARD_HTML } from './dashboard.ts';

export interface ControlPlaneOptions {
  dir: string;
  trustDomain: string;
  nodeIp: string;
  listenIp: string;
  proxyApiPort: number;
  operatorApiPort: number;
  certLifetimeMs: number;
  /**
   * Kubernetes: proxies authenticate with their projected ServiceAccount token (TokenReview) instead of a bootstrap
   * token, and endpoints + Service virtual IPs come from discovery instead of POST /api/pods.
   */
  kube?: KubeControlPlaneExtension;
}

export interface PodRegistration extends Endpoint {
  namespace: string;
  serviceAccount: string;
  tokenSha256: string;
}

interface State {
  version: number;
  pods: Record<string, PodRegistration>;
  policy: MeshPolicy;
  mtls: boolean;
}

interface Issued {
  chainPem: string;
  notAfter: number;
  serial: string;
  at: number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const CONTROL_PLANE_SA = 'meshcp';
export const CONTROL_PLANE_NS = 'mesh-system';

export async function startControlPlane(opts: ControlPlaneOptions) {
  const ca: Ca = await ensureCa(join(opts.dir, 'ca'), opts.trustDomain);
  const stateFile = join(opts.dir, 'state.json');
  const state: State = existsSync(stateFile)
    ? JSON.parse(readFileSync(stateFile, 'utf8'))
    : { version: 1, pods: {}, policy: { default: 'all-unauthenticated', allow: [] }, mtls: true };
  const tokenFile = join(opts.dir, 'operator-token');
  if (!existsSync(tokenFile)) writeFileSync(tokenFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const operatorToken = readFileSync(tokenFile, 'utf8').trim();
  // Certificates handed out (public data), kept on disk so `identity <pod>` and `check` survive a restart.
  const issuedFile = join(opts.dir, 'issued.json');
  const issued = new Map<string, Issued>(existsSync(issuedFile) ? Object.entries(JSON.parse(readFileSync(issuedFile, 'utf8'))) : []);
  const reports = new Map<string, ProxyReport[]>();
  const watchers = new Set<{ pod: string; res: http.ServerResponse }>();
  const HISTORY = 40;

  const save = () => {
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(state, null, 2), { mode: 0o600 });
    renameSync(`${stateFile}.tmp`, stateFile);
  };
  // Kubernetes Service addresses, straight from discovery (re-listed after a restart, so not persisted).
  let virtualIps: VirtualIp[] | undefined;
  let snapshotLine = '';
  const snapshot = (): Snapshot => ({
    version: state.version,
    trustDomain: opts.trustDomain,
    nodeIp: opts.nodeIp,
    mtls: state.mtls,
    policy: state.policy,
    endpoints: Object.values(state.pods).map(({ tokenSha256: _t, namespace: _n, serviceAccount: _s, ...e }) => e),
    ...(virtualIps ? { virtualIps } : {}),
  });
  const publish = () => {
    state.version++;
    save();
    snapshotLine = JSON.stringify(snapshot()) + '\n';
    for (const w of watchers) w.res.write(snapshotLine);
  };
  snapshotLine = JSON.stringify(snapshot()) + '\n';

  /** The calling proxy's pod, or why it is refused. */
  const podByToken = async (req: http.IncomingMessage): Promise<PodRegistration | string> => {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (opts.kube) {
      let id: Awaited<ReturnType<KubeControlPlaneExtension['authenticate']>>;
      try {
        id = await opts.kube.authenticate(m?.[1] ?? '');
      } catch (err) {
        return (err as Error).message;
      }
      const known = state.pods[id.pod];
      if (known && known.namespace === id.namespace && known.serviceAccount === id.serviceAccount) return known;
      // A proxy may start before discovery sees its pod: the review alone is enough to certify it.
      return { pod: id.pod, namespace: id.namespace, serviceAccount: id.serviceAccount, identity: id.identity, ip: '', service: '', ports: [], opaquePorts: [], tokenSha256: '' };
    }
    if (!m) return 'missing bootstrap token';
    const h = sha256(m[1]);
    return Object.values(state.pods).find((p) => timingSafeEqual(Buffer.from(p.tokenSha256), Buffer.from(h))) ?? 'unknown bootstrap token';
  };
  if (opts.kube) {
    opts.kube.onEndpoints((eps, vips) => {
      state.pods = Object.fromEntries(eps.map(({ uid: _u, ...e }) => [e.pod, { ...e, tokenSha256: '' }]));
      virtualIps = vips.map(({ namespace: _n, ...v }) => v);
      publish();
    });
  }
  const isOperator = (req: http.IncomingMessage) => {
    const given = Buffer.from(/^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const want = Buffer.from(operatorToken);
    return given.length === want.length && timingSafeEqual(given, want);
  };

  // ---- proxy API (HTTPS, the control plane's own identity from its CA) ----
  const own = await makeKeyAndCsr();
  const ownCert = await signCsr(ca, own.csrPem, spiffeId(opts.trustDomain, CONTROL_PLANE_NS, CONTROL_PLANE_SA), 365 * 86_400_000);
  const proxyApi = https.createServer({ key: own.keyPem, cert: ownCert.chainPem, minVersion: 'TLSv1.3' }, async (req, res) => {
    try {
      const pod = await podByToken(req);
      if (typeof pod === 'string') return send(res, 401, { error: pod });
      const url = new URL(req.url ?? '/', 'https://cp');
      if (req.method === 'POST' && url.pathname === '/v1/certify') {
        const { csr } = JSON.parse(await body(req, 64 * 1024));
        const id = spiffeId(opts.trustDomain, pod.namespace, pod.serviceAccount);
        const cert = await signCsr(ca, String(csr), id, opts.certLifetimeMs);
        issued.set(pod.pod, { chainPem: cert.chainPem, notAfter: cert.notAfter, serial: cert.serial, at: Date.now() });
        writeFileSync(`${issuedFile}.tmp`, JSON.stringify(Object.fromEntries(issued)));
        renameSync(`${issuedFile}.tmp`, issuedFile);
        return send(res, 200, { identity: id, chainPem: cert.chainPem, rootPem: cert.rootPem, notAfter: cert.notAfter });
      }
      if (req.method === 'GET' && url.pathname === '/v1/watch') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
        res.write(snapshotLine);
        const w = { pod: pod.pod, res };
        watchers.add(w);
        // Keepalive lines let the proxy notice a dead control plane even when nothing changes.
        const beat = setInterval(() => res.write('{}\n'), 5000);
        res.on('close', () => {
          clearInterval(beat);
          watchers.delete(w);
        });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/v1/report') {
        const report = JSON.parse(await body(req, 4 * 1024 * 1024)) as ProxyReport;
        report.pod = pod.pod;
        const list = reports.get(pod.pod) ?? [];
        list.push(report);
        if (list.length > HISTORY) list.shift();
        reports.set(pod.pod, list);
        return send(res, 204);
      }
      send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    } catch (err) {
      send(res, 400, { error: (err as Error).message });
    }
  });

  // ---- operator API (HTTP; writes need the operator token) ----
  const podReports = (): PodReports[] =>
    Object.values(state.pods).map((p) => ({ service: p.service, history: reports.get(p.pod) ?? [] }));
  const operatorApi = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://cp');
      const path = url.pathname;
      if (req.method === 'GET' && path === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(DASHBOARD_HTML);
      }
      if (req.method === 'GET' && path === '/api/check') {
        const now = Date.now();
        const pods = Object.values(state.pods).map((p) => {
          const cert = issued.get(p.pod);
          const last = reports.get(p.pod)?.at(-1);
          const watching = [...watchers].some((w) => w.pod === p.pod);
          const problems = [
            !cert && 'no certificate issued yet',
            cert && cert.notAfter <= now && 'certificate expired',
            !watching && 'not watching for config',
            (!last || now - last.at > 15_000) && 'no recent metrics report',
          ].filter(Boolean);
          return { pod: p.pod, service: p.service, identity: spiffeId(opts.trustDomain, p.namespace, p.serviceAccount), certNotAfter: cert?.notAfter ?? null, configVersion: last?.configVersion ?? null, ok: problems.length === 0, problems };
        });
        return send(res, 200, { ok: pods.every((p) => p.ok), version: state.version, trustDomain: opts.trustDomain, mtls: state.mtls, pods });
      }
      if (req.method === 'GET' && path === '/api/stat') {
        return send(res, 200, serviceStats(podReports(), Number(url.searchParams.get('windowMs') ?? 30_000)));
      }
      if (req.method === 'GET' && path === '/api/edges') {
        const svcOf = (id: string) => Object.values(state.pods).find((p) => p.identity === id)?.service;
        return send(res, 200, edges(podReports(), svcOf));
      }
      if (req.method === 'GET' && path.startsWith('/api/identity/')) {
        const name = decodeURIComponent(path.slice('/api/identity/'.length));
        const p = state.pods[name];
        if (!p) return send(res, 404, { error: `no pod "${name}"; pods: ${Object.keys(state.pods).join(', ')}` });
        const cert = issued.get(name);
        return send(res, 200, { pod: name, identity: p.identity, chainPem: cert?.chainPem ?? null, rootPem: ca.rootPem, notAfter: cert?.notAfter ?? null, serial: cert?.serial ?? null });
      }
      if (req.method === 'GET' && path === '/api/policy') return send(res, 200, { policy: state.policy, mtls: state.mtls });
      if (req.method === 'GET' && path === '/api/metrics') return send(res, 200, Object.fromEntries(reports));
      if (!isOperator(req)) return send(res, 401, { error: 'writes need the operator token (Authorization: Bearer, from <cp dir>/operator-token)' });
      if (req.method === 'PUT' && path === '/api/policy') {
        const input = JSON.parse(await body(req, 1024 * 1024));
        state.policy = validatePolicy(input.policy ?? input);
        if (typeof input.mtls === 'boolean') state.mtls = input.mtls;
        publish();
        return send(res, 200, { policy: state.policy, mtls: state.mtls, version: state.version });
      }
      if (req.method === 'POST' && path === '/api/pods') {
        if (opts.kube) return send(res, 409, { error: 'on Kubernetes pods are discovered from EndpointSlices; POST /api/pods is not used' });
        const reg = JSON.parse(await body(req, 64 * 1024)) as Omit<PodRegistration, 'identity' | 'tokenSha256'> & { token: string };
        for (const k of ['pod', 'ip', 'service', 'namespace', 'serviceAccount', 'token'] as const) {
          if (typeof reg[k] !== 'string' || !reg[k]) throw new Error(`pod registration needs "${k}"`);
        }
        const { token, ...rest } = reg;
        state.pods[reg.pod] = { ...rest, identity: spiffeId(opts.trustDomain, reg.namespace, reg.serviceAccount), tokenSha256: sha256(token) };
        publish();
        return send(res, 200, { identity: state.pods[reg.pod].identity, version: state.version });
      }
      send(res, 404, { error: `no route ${req.method} ${path}` });
    } catch (err) {
      send(res, 400, { error: (err as Error).message });
    }
  });

  await Promise.all([
    new Promise<void>((r) => proxyApi.listen(opts.proxyApiPort, opts.listenIp, r)),
    new Promise<void>((r) => operatorApi.listen(opts.operatorApiPort, opts.listenIp, r)),
  ]);
  return {
    rootPem: ca.rootPem,
    async close() {
      for (const w of watchers) w.res.destroy();
      proxyApi.closeAllConnections();
      operatorApi.closeAllConnections();
      await Promise.all([new Promise((r) => proxyApi.close(r)), new Promise((r) => operatorApi.close(r))]);
    },
  };
}

function send(res: http.ServerResponse, status: number, json?: unknown): void {
  if (json === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(json, null, 1);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function body(req: http.IncomingMessage, limit: number): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error(`request body over ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
