// The outbound side: every connection the app opens (iptables redirects it here). Destinations discovery knows are
// meshed: HTTP and gRPC go over a shared mTLS HTTP/2 session to a peer proxy chosen by P2C-EWMA, TCP goes over its own
// mTLS connection. Destinations discovery does not know (outside the mesh) are passed through untouched.
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { Proxy } from './proxy.ts';
import type { Endpoint } from '../shared/config.ts';
import { detect } from './detect.ts';
import { Metrics } from './metrics.ts';
import { CTX, ctxOf, setCtx, splice, type ConnCtx } from './context.ts';
import { h1ToH2, h2ToH2 } from './forward.ts';
import { connectPeer, peerTlsOptions } from './pools.ts';
import type { Weighted } from './balancer.ts';
import { resolveDestination } from './resolve.ts';

const DETECT_MS = 3000;

export function startOutbound(p: Proxy) {
  const timeout = p.boot.requestTimeoutMs;
  const rowOf = (ctx: ConnCtx) => (ctx.row ??= p.metrics.row('outbound', ctx.service!, ctx.ep!.identity, p.mtls));
  /** Endpoints to balance over, from the current snapshot: the Service's pods (virtual IP) or the service's. */
  const candidates = (ctx: ConnCtx): Endpoint[] => {
    const eps = ctx.vip ? p.byVip.get(ctx.vip)?.endpoints : p.byService.get(ctx.service!);
    return eps?.length ? eps : [ctx.ep!];
  };

  /** Per request: picks an endpoint, hands out its session, and returns the completion hook for the balancer. */
  function route(ctx: ConnCtx) {
    let current: Weighted | undefined;
    let t0 = 0;
    const session = (): http2.ClientHttp2Session => {
      if (current) p.balancer.end(current, performance.now() - t0, false);
      const ep: Endpoint = p.balancer.pick(candidates(ctx));
      current = p.balancer.start(ep);
      t0 = performance.now();
      return p.peers.get(`${ep.ip}:${ctx.port}`, () => connectPeer(ep.ip, ctx.port, p.mtls ? { ctx: p.ctx, id: ep.identity } : undefined));
    };
    const finished = (ok: boolean) => {
      if (current) p.balancer.end(current, performance.now() - t0, ok);
      current = undefined;
    };
    return { session, finished };
  }
  const retryable = () => p.retryBudget.tryWithdraw();

  const h2 = http2.createServer({ settings: { maxConcurrentStreams: 1000, initialWindowSize: 1 << 20 }, maxSessionMemory: 32 });
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on('session', (session) => {
    setCtx(session, ctxOf(session.socket));
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    session.on('error', () => p.metrics.protocolErrors++);
  });
  h2.on('stream', (stream, headers, flags) => {
    const ctx = (stream.session as unknown as { [CTX]: ConnCtx })[CTX];
    const row = rowOf(ctx);
    row.requests++;
    p.retryBudget.deposit();
    stream.on('error', () => {});
    const t0 = performance.now();
    const r = route(ctx);
    h2ToH2(stream, headers, flags, r.session, timeout, (ok) => {
      r.finished(ok);
      Metrics.observe(row, performance.now() - t0, ok);
    }, retryable);
  });

  const h1 = http.createServer({ headersTimeout: 10_000, requestTimeout: 0, keepAliveTimeout: 30_000, connectionsCheckingInterval: 1000 });
  h1.emit('listening'); // connection tracking for timeouts and closeIdleConnections() (see inbound.ts)
  h1.on('clientError', (_err, sock) => {
    p.metrics.protocolErrors++;
    sock.destroy();
  });
  h1.on('request', (req, res) => {
    const ctx = ctxOf(req.socket);
    const row = rowOf(ctx);
    row.requests++;
    p.retryBudget.deposit();
    if (p.draining) res.shouldKeepAlive = false;
    const t0 = performance.now();
    const r = route(ctx);
    h1ToH2(req, res, `${ctx.ip}:${ctx.port}`, r.session, timeout, (ok) => {
      r.finished(ok);
      Metrics.observe(row, performance.now() - t0, ok);
    }, retryable);
  });

  /** TCP to a meshed destination: its own mTLS connection, ALPN mb-opaque. */
  function opaque(sock: net.Socket, ctx: ConnCtx) {
    const row = rowOf(ctx);
    row.tcpOpen++;
    const ep = p.balancer.pick(candidates(ctx));
    const up = p.mtls ? tls.connect(peerTlsOptions(ep.ip, ctx.port, p.ctx, ep.identity, 'mb-opaque')) : net.connect({ host: ep.ip, port: ctx.port });
    up.setNoDelay(true);
    splice(sock, up, row);
  }

  function passthrough(sock: net.Socket, ip: string, port: number) {
    const row = p.metrics.row('outbound', `${ip}:${port}`, '', false);
    row.tcpOpen++;
    splice(sock, net.connect({ host: ip, port, noDelay: true }), row);
  }

  const server = net.createServer({ noDelay: true }, (raw) => {
    if (p.draining) return raw.destroy();
    p.track(raw);
    raw.on('error', () => {});
    const dst = p.originalDst(raw);
    if (!dst || (dst.ip === '127.0.0.1' && dst.port === p.boot.outboundPort)) return raw.destroy();
    const to = resolveDestination(dst, p.byIp, p.byVip, p.boot.podIp);
    // Unknown destinations leave the mesh as they are; a pod calling itself goes straight to its app.
    if (to.to === 'passthrough') return passthrough(raw, dst.ip, dst.port);
    if (to.to === 'self') return passthrough(raw, '127.0.0.1', to.port);
    const ctx: ConnCtx = { ip: dst.ip, port: to.port, callerIp: '127.0.0.1', tls: p.mtls, service: to.service, ep: to.ep, vip: to.vip };
    setCtx(raw, ctx);
    if (p.isOpaque(to.ep, to.port)) return opaque(raw, ctx);
    void detect(raw, DETECT_MS).then((proto) => {
      if (proto === 'closed' || raw.destroyed) return;
      if (proto === 'h2') h2.emit('connection', raw);
      else if (proto === 'http1') {
        h1.emit('connection', raw);
        raw.resume(); // the HTTP/1 parser reads what detection put back only from a flowing stream
      }
      else opaque(raw, ctx);
    });
  });
  return {
    server,
    drain() {
      for (const s of sessions) s.close();
      h1.closeIdleConnections();
    },
  };
}
