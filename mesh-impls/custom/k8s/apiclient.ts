// The control plane's API client inside the cluster: its own ServiceAccount token and CA (the in-cluster config),
// JSON requests, and list+watch caches. Written on node:https rather than @kubernetes/client-node: the surface
// needed is small (POST a TokenReview, list+watch four collections), the control-plane bundle stays ~2.5 MB smaller
// without client-node's dependency tree, and the token file is re-read as the kubelet rotates it. (When this was
// written, client-node 2.x did not load on Node 20 at all; the project later overrode its undici so it does.)
import * as http from 'node:http';
import * as https from 'node:https';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ApiConfig {
  /** https://host:port (http:// only for tests on loopback). */
  server: string;
  /** Read on every request: the kubelet rotates the projected token file. */
  token: () => string;
  ca?: string;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The in-cluster config every pod gets: KUBERNETES_SERVICE_HOST/PORT, the ServiceAccount token and CA files. */
export function inClusterConfig(env = process.env, dir = SA_DIR): ApiConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) throw new Error('not running in a pod: KUBERNETES_SERVICE_HOST is unset (the control plane must run in the cluster)');
  let cached = '';
  let readAt = 0;
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    token: () => {
      // Re-read at most every 10 s: cheap, and a rotated token is picked up well before the old one expires.
      if (Date.now() - readAt > 10_000) {
        cached = readFileSync(`${dir}/token`, 'utf8').trim();
        readAt = Date.now();
      }
      return cached;
    },
    ca: readFileSync(`${dir}/ca.crt`, 'utf8'),
  };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface KubeItem {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export class ApiClient {
  constructor(private cfg: ApiConfig) {}

  private open(method: string, path: string, body?: unknown, timeoutMs = 15_000): Promise<http.IncomingMessage> {
    const url = new URL(this.cfg.server.replace(/\/$/, '') + path);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = { authorization: `Bearer ${this.cfg.token()}`, accept: 'application/json' };
    if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    const client = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = client.request(url, { method, headers, ca: this.cfg.ca, timeout: timeoutMs }, resolve);
      req.on('timeout', () => req.destroy(new Error(`API ${method} ${path}: no answer in ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.open(method, path, body);
    let text = '';
    res.setEncoding('utf8');
    for await (const c of res) text += c;
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      let msg = text.slice(0, 300);
      try {
        msg = JSON.parse(text).message ?? msg;
      } catch {}
      throw new ApiError(status, `API ${method} ${path}: HTTP ${status} ${msg}`);
    }
    return JSON.parse(text) as T;
  }

  /**
   * Keeps a cache of a collection and calls `onChange` after every change: list, then watch from the list's
   * resourceVersion. A watch the server ends normally (it does so every few minutes) resumes from the last version
   * seen (bookmarks keep it fresh); a 410 Gone or any error re-lists, so nothing is missed. Returns a stop function.
   */
  listWatch<T extends KubeItem>(path: string, onChange: (items: T[]) => void, onError: (err: unknown) => void = () => {}): { ready: Promise<void>; stop: () => void } {
    const cache = new Map<string, T>();
    const key = (o: T) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    let stopped = false;
    let current: http.IncomingMessage | undefined;
    let markReady!: () => void;
    const ready = new Promise<void>((r) => (markReady = r));
    const sep = path.includes('?') ? '&' : '?';
    const loop = async () => {
      let rv: string | undefined;
      for (let failures = 0; !stopped; ) {
        try {
          if (rv === undefined) {
            const list = await this.request<{ metadata: { resourceVersion: string }; items: T[] }>('GET', path);
            cache.clear();
            for (const o of list.items) cache.set(key(o), o);
            rv = list.metadata.resourceVersion;
            onChange([...cache.values()]);
            markReady();
          }
          // The server ends the watch after timeoutSeconds; a dead connection without FIN cannot hang us longer.
          const res = await this.open('GET', `${path}${sep}watch=true&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${rv}`, undefined, 330_000);
          if (res.statusCode !== 200) {
            res.resume();
            throw new ApiError(res.statusCode ?? 0, `watch ${path}: HTTP ${res.statusCode}`);
          }
          current = res;
          failures = 0;
          let buf = '';
          res.setEncoding('utf8');
          for await (const chunk of res) {
            buf += chunk;
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (!line) continue;
              const ev = JSON.parse(line) as { type: string; object: T & { code?: number } };
              // 410 Gone: our version is too old; list again.
              if (ev.type === 'ERROR') throw new ApiError(ev.object.code ?? 0, `watch ${path}: ${JSON.stringify(ev.object)}`);
              rv = ev.object.metadata?.resourceVersion ?? rv;
              if (ev.type === 'BOOKMARK') continue;
              if (ev.type === 'DELETED') cache.delete(key(ev.object));
              else cache.set(key(ev.object), ev.object);
              onChange([...cache.values()]);
            }
          }
        } catch (err) {
          rv = undefined;
          if (stopped) break;
          onError(err);
          await sleep(Math.min(250 * 2 ** failures++, 5000));
        }
      }
    };
    void loop();
    return {
      ready,
      stop: () => {
        stopped = true;
        current?.destroy();
      },
    };
  }
}
