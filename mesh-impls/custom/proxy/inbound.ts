// The inbound side: every connection iptables redirected to the inbound port. Mesh traffic arrives as mTLS (ALPN h2
// for HTTP and gRPC, mb-opaque for TCP); anything else is a plaintext client (unmeshed pod, node probe, ingress).
// Each request or connection is authorized against the caller's identity before it reaches the app.
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { Proxy } from './proxy.ts';
import { detect } from './detect.ts';
import { Metrics } from './metrics.ts';
import { CTX, ctxOf, setCtx, splice, type ConnCtx } from './context.ts';
import { h2ToH2, toH1App, sendH1Error, sendH2Error, ORIG_PROTO } from './forward.ts';
import { idFromSan } from '../shared/identity.ts';

const DETECT_MS = 3000;
const DENY = 'unauthorized by mesh policy';

export function startInbound(p: Proxy) {
  const rowOf = (ctx: ConnCtx) => (ctx.row ??= p.metrics.row('inbound', ctx.callerId ?? '', String(ctx.port), ctx.tls));
  const timeout = p.boot.requestTimeoutMs;

  const creds = () => ({ key: p.cert.keyPem, cert: p.cert.chainPem, ca: p.cert.rootPem, minVersion: 'TLSv1.3' as const, maxVersion: 'TLSv1.3' as const });
  const tlsServer = tls.createServer({
    ...creds(),
    requestCert: true,
    rejectUnauthorized: true,
    ALPNProtocols: ['h2', 'mb-opaque'],
    handshakeTimeout: 10_000,
  });
  // Rotation: new handshakes use the new certificate; established sessions keep going.
  p.certListeners.push(() => tlsServer.setSecureContext(creds()));
  tlsServer.on('tlsClientError', (err, sock) => {
    // Log the first few so a misconfiguration is visible; garbage from the network is only counted after that.
    if (p.metrics.tlsHandshakeErrors++ < 5) p.log(`TLS handshake from ${sock.remoteAddress} failed: ${err.message}`);
    sock.destroy();
  });
  tlsServer.on('secureConnection', (s: tls.TLSSocket) => {
    const ctx = ctxOf((s as unknown as { _parent: net.Socket })._parent);
    ctx.callerId = idFromSan(s.getPeerCertificate().subjectaltname);
    ctx.tls = true;
    setCtx(s, ctx);
    if (s.alpnProtocol === 'h2') h2.emit('connection', s);
    else opaque(s, ctx);
  });

  const sessions = new Set<http2.ServerHttp2Session>();
  const h2 = http2.createServer({ settings: { maxConcurrentStreams: 1000, initialWindowSize: 1 << 20 }, maxSessionMemory: 32, maxHeaderListPairs: 256 });
  h2.on('session', (session) => {
    const ctx = ctxOf(session.socket);
    setCtx(session, ctx);
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    session.on('error', () => p.metrics.protocolErrors++);
    // After a protocol error nghttp2 sends GOAWAY but leaves the socket to the peer; a hostile peer never closes it.
    // So a session with no open stream is closed after an idle period (short for plaintext clients).
    let open = 0;
    session.on('stream', (st) => {
      open++;
      st.once('close', () => open--);
    });
    session.setTimeout(ctx.tls ? 120_000 : 5_000, () => {
      if (open === 0) session.destroy();
    });
  });
  h2.on('sessionError', () => p.metrics.protocolErrors++);
  h2.on('stream', (stream, headers, flags) => {
    const ctx = (stream.session as unknown as { [CTX]: ConnCtx })[CTX];
    const row = rowOf(ctx);
    row.requests++;
    stream.on('error', () => {});
    if (!p.authz.allows(ctx.port, { id: ctx.callerId, ip: ctx.callerIp }, headers[':path'])) {
      row.denied++;
      Metrics.observe(row, 0, false);
      return sendH2Error(stream, String(headers['content-type']).startsWith('application/grpc'), 403, 7, DENY);
    }
    const t0 = performance.now();
    const done = (ok: boolean) => Metrics.observe(row, performance.now() - t0, ok);
    if (headers[ORIG_PROTO]) toH1App({ kind: 'h2', stream, headers, flags }, ctx.port, p.appAgent, timeout, done);
    else h2ToH2(stream, headers, flags, () => p.apps.get(String(ctx.port), () => http2.connect(`http://127.0.0.1:${ctx.port}`)), timeout, done, () => false);
  });

  const h1 = http.createServer({ headersTimeout: 10_000, requestTimeout: 60_000, keepAliveTimeout: 30_000, maxHeaderSize: 16_384, connectionsCheckingInterval: 1000 });
  // This server never listen()s (connections are handed to it), but its header/request timeouts (slowloris) and
  // closeIdleConnections() only work once 'listening' has set up its connection tracking.
  h1.emit('listening');
  h1.on('clientError', (_err, sock) => {
    p.metrics.protocolErrors++;
    if (sock.writable) sock.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    sock.destroy();
  });
  h1.on('request', (req, res) => {
    const ctx = ctxOf(req.socket);
    const row = rowOf(ctx);
    row.requests++;
    if (p.draining) res.shouldKeepAlive = false;
    if (!p.authz.allows(ctx.port, { ip: ctx.callerIp }, req.url)) {
      row.denied++;
      Metrics.observe(row, 0, false);
      req.resume();
      return sendH1Error(res, 403, DENY);
    }
    const t0 = performance.now();
    toH1App({ kind: 'h1', req, res }, ctx.port, p.appAgent, timeout, (ok) => Metrics.observe(row, performance.now() - t0, ok));
  });

  function opaque(sock: net.Socket, ctx: ConnCtx) {
    const row = rowOf(ctx);
    row.tcpOpen++;
    if (!p.authz.allows(ctx.port, { id: ctx.callerId, ip: ctx.callerIp })) {
      row.denied++;
      row.tcpClose++;
      sock.destroy();
      return;
    }
    const app = net.connect({ host: '127.0.0.1', port: ctx.port, noDelay: true });
    // No app on that port: reset the client, as a closed port would (no proxy-made answer to fingerprint).
    app.once('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || sock.destroyed) return;
      try {
        sock.resetAndDestroy();
      } catch {
        sock.destroy();
      }
    });
    splice(sock, app, row);
  }

  const server = net.createServer({ noDelay: true, pauseOnConnect: false }, (raw) => {
    if (p.draining) return raw.destroy();
    p.track(raw);
    raw.on('error', () => {});
    const dst = p.originalDst(raw);
    // A connection straight to the inbound port (not redirected) has no destination: nothing to proxy to.
    if (!dst || dst.port === p.boot.inboundPort) return raw.destroy();
    const ctx: ConnCtx = { ip: dst.ip, port: dst.port, callerIp: raw.remoteAddress?.replace(/^::ffff:/, '') ?? '', tls: false };
    setCtx(raw, ctx);
    // Ports the pod does not declare get no HTTP handling from plaintext clients: bytes go to the port as they are,
    // so a closed port still looks closed.
    const own = p.byIp.get(p.boot.podIp);
    const declared = own ? own.ports.includes(dst.port) || own.health?.port === dst.port : true;
    void detect(raw, DETECT_MS).then((proto) => {
      if (proto === 'closed' || raw.destroyed) return;
      if (proto === 'tls' && p.mtls) tlsServer.emit('connection', raw);
      else if (!declared) opaque(raw, ctx);
      else if (proto === 'h2') h2.emit('connection', raw);
      else if (proto === 'http1' && !p.isOpaque(undefined, dst.port)) {
        h1.emit('connection', raw);
        raw.resume(); // the HTTP/1 parser reads what detection put back only from a flowing stream
      }
      else opaque(raw, ctx);
    });
  });
  server.maxConnections = 15_000;
  return {
    server,
    drain() {
      for (const s of sessions) s.close();
      h1.closeIdleConnections();
    },
  };
}
