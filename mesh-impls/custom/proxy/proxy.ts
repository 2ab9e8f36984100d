// One sidecar proxy: identity (certificate from the control plane, renewed at 70% of its life), the last snapshot of
// discovery + policy, the inbound and outbound listeners, the admin server, and graceful drain.
import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProxyBootstrap, Snapshot, Endpoint } from '../shared/config.ts';
import { DEFAULT_OPAQUE_PORTS } from '../shared/config.ts';
import { ControlPlaneClient, secureContextOf, type Certificate } from './control.ts';
import { Metrics } from './metrics.ts';
import { Authorizer } from './authz.ts';
import { Balancer, RetryBudget } from './balancer.ts';
import { SessionPool } from './pools.ts';
import { loadOriginalDst, type OriginalDst } from './original-dst.ts';
import { startInbound } from './inbound.ts';
import { startOutbound } from './outbound.ts';
import { indexVirtualIps, type VipTarget } from './resolve.ts';

export class Proxy {
  readonly metrics = new Metrics();
  readonly balancer = new Balancer<Endpoint>();
  readonly retryBudget = new RetryBudget();
  readonly peers = new SessionPool();
  readonly apps = new SessionPool();
  readonly appAgent = new http.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 64 });
  /** Every accepted client connection, for drain and for the open-connections gauge. */
  readonly conns = new Set<net.Socket>();
  readonly originalDst: OriginalDst;
  cert!: Certificate;
  ctx!: tls.SecureContext;
  snapshot!: Snapshot;
  authz!: Authorizer;
  byIp = new Map<string, Endpoint>();
  byService = new Map<string, Endpoint[]>();
  /** Kubernetes Service addresses (`ip:port`) → target port and meshed pods. */
  byVip = new Map<string, VipTarget>();
  draining = false;
  readonly startedAt = Date.now();
  private cp: ControlPlaneClient;
  private servers: net.Server[] = [];
  private onDrain: (() => void)[] = [];
  private renewTimer?: NodeJS.Timeout;
  private reportTimer?: NodeJS.Timeout;

  constructor(
    readonly boot: ProxyBootstrap,
    readonly log: (line: string) => void = (l) => console.log(`[proxy ${boot.pod}] ${l}`),
  ) {
    this.cp = new ControlPlaneClient(boot, log);
    this.originalDst = loadOriginalDst(boot.addonPath);
  }

  get mtls(): boolean {
    return this.snapshot.mtls;
  }

  isOpaque(ep: Endpoint | undefined, port: number): boolean {
    return DEFAULT_OPAQUE_PORTS.includes(port) || (ep?.opaquePorts.includes(port) ?? false);
  }

  async start(): Promise<void> {
    this.applyCert(await this.cp.certify());
    const first = new Promise<void>((resolve) => {
      void this.cp.watch((s) => {
        this.applySnapshot(s);
        resolve();
      });
    });
    await first;
    const inbound = startInbound(this);
    const outbound = startOutbound(this);
    this.servers.push(inbound.server, outbound.server);
    this.onDrain.push(inbound.drain, outbound.drain);
    await Promise.all([
      new Promise<void>((r) => inbound.server.listen(this.boot.inboundPort, '0.0.0.0', r)),
      new Promise<void>((r) => outbound.server.listen(this.boot.outboundPort, '127.0.0.1', r)),
    ]);
    const admin = this.startAdmin();
    const adminListen = this.boot.adminListen ?? '127.0.0.1';
    await new Promise<void>((r) => admin.listen(this.boot.adminPort, adminListen, r));
    this.servers.push(admin);
    this.reportTimer = setInterval(() => void this.report(), 2000);
    void this.report();
    writeFileSync(this.boot.readyFile, JSON.stringify({ identity: this.cert.identity, notAfter: this.cert.notAfter, pid: process.pid }));
    this.log(`ready as ${this.cert.identity}; inbound :${this.boot.inboundPort} outbound :${this.boot.outboundPort} admin ${adminListen}:${this.boot.adminPort}`);
  }

  private applyCert(cert: Certificate): void {
    this.cert = cert;
    this.ctx = secureContextOf(cert);
    this.metrics.identity = cert.identity;
    this.metrics.certNotAfter = cert.notAfter;
    for (const fn of this.certListeners) fn(cert);
    const renewIn = Math.max(1000, cert.issuedAt + 0.7 * (cert.notAfter - cert.issuedAt) - Date.now());
    clearTimeout(this.renewTimer);
    this.renewTimer = setTimeout(() => void this.renew(), renewIn);
  }

  readonly certListeners: ((c: Certificate) => void)[] = [];

  private async renew(): Promise<void> {
    try {
      const cert = await this.cp.certify();
      this.applyCert(cert);
      this.log(`certificate renewed, valid until ${new Date(cert.notAfter).toISOString()}`);
    } catch (err) {
      if (!this.draining) this.log(`renewal failed: ${(err as Error).message}`);
    }
  }

  private applySnapshot(s: Snapshot): void {
    this.snapshot = s;
    this.authz = new Authorizer(s, this.boot.service, this.boot.pod, this.boot.nodeIp ?? s.nodeIp);
    this.byIp = new Map(s.endpoints.map((e) => [e.ip, e]));
    const bySvc = new Map<string, Endpoint[]>();
    for (const e of s.endpoints) bySvc.set(e.service, [...(bySvc.get(e.service) ?? []), e]);
    this.byService = bySvc;
    this.byVip = indexVirtualIps(s.virtualIps ?? [], s.endpoints, this.boot.podIp);
    this.metrics.configVersion = s.version;
    // Tell the control plane at once, so `applyPolicy` knows when every proxy enforces the new policy.
    if (this.reportTimer) setImmediate(() => void this.report());
  }

  private async report(): Promise<void> {
    await this.cp.report({
      pod: this.boot.pod,
      identity: this.cert.identity,
      at: Date.now(),
      startedAt: this.startedAt,
      certNotAfter: this.cert.notAfter,
      configVersion: this.snapshot.version,
      rows: [...this.metrics.rows.values()],
    });
  }

  private startAdmin(): http.Server {
    return http.createServer((req, res) => {
      const json = (v: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
      switch (req.url) {
        case '/metrics':
          return res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(this.metrics.prometheus() + `open_connections ${this.conns.size}\n`);
        case '/ready':
          return res.writeHead(this.draining ? 503 : 200).end(this.draining ? 'draining\n' : 'ready\n');
        case '/live':
          return res.writeHead(200).end('live\n');
        case '/identity':
          return json({ identity: this.cert.identity, notAfter: this.cert.notAfter, chainPem: this.cert.chainPem, rootPem: this.cert.rootPem });
        case '/config':
          return json(this.snapshot);
        default:
          return res.writeHead(404).end('routes: /metrics /ready /live /identity /config\n');
      }
    });
  }

  /** Stops accepting, lets in-flight requests finish (up to drainMs), then closes everything. */
  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    this.log(`draining ${this.conns.size} connections`);
    for (const s of this.servers) s.close();
    for (const fn of this.onDrain) fn();
    this.peers.closeAll();
    this.apps.closeAll();
    const deadline = Date.now() + this.boot.drainMs;
    while (this.conns.size > 0 && Date.now() < deadline) {
      for (const fn of this.onDrain) fn();
      await sleep(50);
    }
    clearTimeout(this.renewTimer);
    clearInterval(this.reportTimer);
    this.cp.stop();
    for (const c of this.conns) c.destroy();
    this.log(`drained (${this.conns.size} connections cut)`);
  }

  track(sock: net.Socket): void {
    this.conns.add(sock);
    sock.once('close', () => this.conns.delete(sock));
  }
}
