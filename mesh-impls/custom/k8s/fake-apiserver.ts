// A small stand-in for the Kubernetes API server, on loopback, for tests of the modules that talk to it through
// @kubernetes/client-node: collections with list + watch (JSON event stream, as the real server streams it),
// TokenReview, and the service proxy to one Service port. It speaks the wire format; it does not pretend to be more.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { ApiClient } from './apiclient.ts';

interface Obj {
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
  [k: string]: unknown;
}

export interface FakeApiServer {
  url: string;
  /** An API client for it, authenticated with the configured token. */
  client(): ApiClient;
  /** Writes a kubeconfig for it (kubectl) and returns the path. */
  kubeconfigFile(path: string): string;
  /** Creates or replaces an object in a collection path (e.g. /api/v1/pods), notifying watchers. */
  put(collection: string, obj: Obj): void;
  remove(collection: string, name: string, namespace?: string): void;
  /**
   * Ends every watch on a collection: with a 410 Gone ERROR event (`gone`, as the real server does for a too-old
   * version), or plainly, as it does when a watch's timeoutSeconds run out.
   */
  expireWatches(collection: string, gone?: boolean): void;
  /** Requests seen (method + path), for assertions on what the client asked. */
  requests: string[];
  close(): Promise<void>;
}

export interface FakeOptions {
  token: string;
  /** Answers TokenReview bodies (spec.token, spec.audiences) with a status. */
  tokenReview?: (spec: { token: string; audiences?: string[] }) => Record<string, unknown>;
  /** Serve HTTPS as `localhost` (kubectl sends credentials only over TLS): key, chain, and the CA that signed it. */
  tls?: { keyPem: string; chainPem: string; caPem: string };
  /** Service proxy: path prefix → upstream base URL (e.g. the real control plane's operator API). */
  serviceProxy?: Record<string, string>;
}

const LIST_KIND: Record<string, string> = {
  '/api/v1/pods': 'PodList',
  '/api/v1/services': 'ServiceList',
  '/apis/discovery.k8s.io/v1/endpointslices': 'EndpointSliceList',
  '/apis/mesh.meshbench.io/v1alpha1/meshpolicies': 'MeshPolicyList',
};

export async function startFakeApiServer(opts: FakeOptions): Promise<FakeApiServer> {
  let rv = 1;
  const store = new Map<string, Map<string, Obj>>();
  const watchers = new Map<string, Set<http.ServerResponse>>();
  const requests: string[] = [];
  const key = (o: Obj) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const emit = (collection: string, type: string, obj: Obj) => {
    for (const w of watchers.get(collection) ?? []) if (!w.writableEnded) w.write(JSON.stringify({ type, object: obj }) + '\n');
  };

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.searchParams.get('watch') ? ' (watch)' : ''}`);
    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
    };
    if (req.headers.authorization !== `Bearer ${opts.token}`) return json(401, { kind: 'Status', status: 'Failure', code: 401, reason: 'Unauthorized' });
    let body = '';
    for await (const c of req) body += c;

    if (req.method === 'POST' && url.pathname === '/apis/authentication.k8s.io/v1/tokenreviews' && opts.tokenReview) {
      const review = JSON.parse(body);
      return json(201, { ...review, status: opts.tokenReview(review.spec) });
    }
    for (const [prefix, upstream] of Object.entries(opts.serviceProxy ?? {})) {
      if (!url.pathname.startsWith(prefix + '/')) continue;
      const r = await fetch(upstream + url.pathname.slice(prefix.length) + url.search, { method: req.method, body: body || undefined });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' });
      return res.end(Buffer.from(await r.arrayBuffer()));
    }
    const collection = store.get(url.pathname) ?? (LIST_KIND[url.pathname] ? new Map<string, Obj>() : undefined);
    if (req.method === 'GET' && collection) {
      if (url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const set = watchers.get(url.pathname) ?? new Set();
        set.add(res);
        watchers.set(url.pathname, set);
        res.on('close', () => set.delete(res));
        return;
      }
      return json(200, { apiVersion: 'v1', kind: LIST_KIND[url.pathname] ?? 'List', metadata: { resourceVersion: String(rv) }, items: [...collection.values()] });
    }
    json(404, { kind: 'Status', status: 'Failure', code: 404, reason: 'NotFound', message: `fake API server: no ${req.method} ${url.pathname}` });
  };
  const server = opts.tls ? https.createServer({ key: opts.tls.keyPem, cert: opts.tls.chainPem }, handler) : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const url = opts.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`;

  return {
    url,
    requests,
    client: () => new ApiClient({ server: url, token: () => opts.token, ca: opts.tls?.caPem }),
    kubeconfigFile(path) {
      writeFileSync(
        path,
        `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: ${url}\n${opts.tls ? `    certificate-authority-data: ${Buffer.from(opts.tls.caPem).toString('base64')}\n` : ''}users:\n- name: tester\n  user:\n    token: ${opts.token}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: tester\ncurrent-context: fake\n`,
        { mode: 0o600 },
      );
      return path;
    },
    put(collection, obj) {
      const c = store.get(collection) ?? new Map<string, Obj>();
      store.set(collection, c);
      const existed = c.has(key(obj));
      const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
      c.set(key(obj), stored);
      emit(collection, existed ? 'MODIFIED' : 'ADDED', stored);
    },
    remove(collection, name, namespace) {
      const c = store.get(collection);
      const k = `${namespace ?? ''}/${name}`;
      const obj = c?.get(k);
      if (!obj) return;
      c!.delete(k);
      rv++;
      emit(collection, 'DELETED', obj);
    },
    expireWatches(collection, gone = true) {
      const set = watchers.get(collection) ?? new Set();
      for (const w of set) {
        set.delete(w);
        if (gone) w.write(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version' } }) + '\n');
        w.end();
      }
    },
    async close() {
      for (const set of watchers.values()) for (const w of set) w.end();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
