// The proxy's link to the control plane: certificate issuance and renewal at 70% of the lifetime, the watch stream of
// snapshots, and metric reports. Every call retries with backoff; when the control plane is away the proxy keeps
// its current certificate and its last snapshot, so the data plane never depends on the control plane being up.
import * as https from 'node:https';
import * as tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { idFromSan } from '../shared/identity.ts';
import { makeKeyAndCsr } from '../shared/csr.ts';
import type { ProxyBootstrap, ProxyReport, Snapshot } from '../shared/config.ts';

export interface Certificate {
  identity: string;
  keyPem: string;
  chainPem: string;
  rootPem: string;
  notAfter: number;
  issuedAt: number;
}

export class ControlPlaneClient {
  private agent: https.Agent;
  private url: URL;
  private stopped = false;
  private watchReq?: ReturnType<typeof https.request>;

  constructor(
    private boot: ProxyBootstrap,
    private log: (line: string) => void,
  ) {
    this.url = new URL(boot.controlPlane);
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 4,
      ca: readFileSync(boot.rootFile, 'utf8'),
      minVersion: 'TLSv1.3',
      // The control plane is known by its SPIFFE id, not by a DNS name.
      checkServerIdentity: (_host, cert) =>
        idFromSan(cert.subjectaltname) === boot.controlPlaneId ? undefined : new Error(`control plane presented ${cert.subjectaltname}, want ${boot.controlPlaneId}`),
    });
  }

  /** Read on every request: on Kubernetes the kubelet rotates the projected token in place. */
  private token(): string {
    return readFileSync(this.boot.tokenFile, 'utf8').trim();
  }

  private call(method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        { host: this.url.hostname, port: this.url.port, method, path, agent: this.agent, timeout: timeoutMs, headers: { authorization: `Bearer ${this.token()}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`control plane ${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A fresh key and a certificate for it; retries until the control plane answers. */
  async certify(): Promise<Certificate> {
    for (let attempt = 0; ; attempt++) {
      try {
        const { keyPem, csrPem } = await makeKeyAndCsr();
        const r = await this.call('POST', '/v1/certify', { csr: csrPem });
        if (r.status !== 200) throw new Error(`certify: HTTP ${r.status} ${r.text}`);
        const j = JSON.parse(r.text);
        return { identity: j.identity, keyPem, chainPem: j.chainPem, rootPem: j.rootPem, notAfter: j.notAfter, issuedAt: Date.now() };
      } catch (err) {
        if (this.stopped) throw err;
        if (attempt % 10 === 0) this.log(`certify failed (will retry): ${(err as Error).message}`);
        await sleep(Math.min(200 * 2 ** attempt, 3000));
      }
    }
  }

  /** Keeps a watch open for the life of the proxy, calling `onSnapshot` for each snapshot received. */
  async watch(onSnapshot: (s: Snapshot) => void): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        await new Promise<void>((resolve, reject) => {
          const req = https.request(
            { host: this.url.hostname, port: this.url.port, path: '/v1/watch', agent: this.agent, headers: { authorization: `Bearer ${this.token()}` } },
            (res) => {
              if (res.statusCode !== 200) {
                res.resume();
                return reject(new Error(`watch: HTTP ${res.statusCode}`));
              }
              attempt = 0;
              let buf = '';
              // No line (snapshot or keepalive) for 15 s: the control plane is gone without a FIN.
              let idle = setTimeout(() => req.destroy(new Error('watch idle')), 15_000);
              res.setEncoding('utf8');
              res.on('data', (d: string) => {
                clearTimeout(idle);
                idle = setTimeout(() => req.destroy(new Error('watch idle')), 15_000);
                buf += d;
                let nl: number;
                while ((nl = buf.indexOf('\n')) >= 0) {
                  const line = buf.slice(0, nl);
                  buf = buf.slice(nl + 1);
                  const msg = JSON.parse(line);
                  if (msg.version !== undefined) onSnapshot(msg as Snapshot);
                }
              });
              res.on('end', () => {
                clearTimeout(idle);
                resolve();
              });
              res.on('error', (e) => {
                clearTimeout(idle);
                reject(e);
              });
            },
          );
          this.watchReq = req;
          req.on('error', reject);
          req.end();
        });
      } catch (err) {
        if (!this.stopped && attempt % 10 === 0) this.log(`watch lost, keeping last config: ${(err as Error).message}`);
      }
      await sleep(Math.min(200 * 2 ** attempt++, 3000));
    }
  }

  async report(r: ProxyReport): Promise<void> {
    try {
      await this.call('POST', '/v1/report', r, 3000);
    } catch {
      // Metrics are best-effort: the next report carries the cumulative counters anyway.
    }
  }

  stop(): void {
    this.stopped = true;
    this.watchReq?.destroy();
    this.agent.destroy();
  }
}

/** TLS 1.3-only contexts for both directions, built from one certificate. */
export function secureContextOf(cert: Certificate): tls.SecureContext {
  return tls.createSecureContext({ key: cert.keyPem, cert: cert.chainPem, ca: cert.rootPem, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
}
