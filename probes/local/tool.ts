// The probes' client, run inside a pod (`ip netns exec <ns> node --import tsx tool.ts '<json ops>'`). It performs each
// operation and prints one JSON array of raw observations; judging them is the probe's job, not the tool's.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';

export type AppProtocol = 'http' | 'grpc' | 'tcp';

/** One request in the application's own protocol; `marker` is carried in the body so a capture can look for it. */
export interface AppRequest {
  protocol: AppProtocol;
  /** HTTP path, or gRPC full method name (default: grpc.health.v1.Health/Check). */
  path?: string;
  /** HTTP body / gRPC message bytes / TCP payload (default for TCP: a Redis PING). */
  body?: string;
  /** How much of the response to keep in `head` (default 300 characters). */
  keep?: number;
}

export type ToolOp =
  | ({ op: 'app'; host: string; port: number; timeoutMs?: number } & AppRequest)
  | ({
      op: 'tls';
      host: string;
      port: number;
      servername?: string;
      minVersion?: tls.SecureVersion;
      maxVersion?: tls.SecureVersion;
      ciphers?: string;
      certPem?: string;
      keyPem?: string;
      alpn?: string[];
      /** After the handshake, send this request through the TLS session and report whether the far end answered. */
      request?: AppRequest;
      timeoutMs?: number;
    })
  | ({ op: 'loop'; host: string; port: number; intervalMs: number; durationMs: number; timeoutMs?: number } & AppRequest);

/** What came back from an application request. */
export interface AppObservation {
  /** The far end answered in the application protocol (any status, including a policy denial). */
  answered: boolean;
  httpStatus?: number;
  grpcCode?: number;
  grpcMessage?: string;
  /** Response bytes for TCP / HTTP (first 300 chars, for evidence). */
  head?: string;
  bytes?: number;
  /** Transport error code when nothing usable came back (ECONNREFUSED, ECONNRESET, TIMEOUT, alert names…). */
  error?: string;
}

export interface TlsObservation {
  handshake: boolean;
  protocol?: string | null;
  cipher?: string;
  alpn?: string | false | null;
  /** Peer certificate chain as PEM, leaf first. */
  chainPem?: string[];
  error?: string;
  app?: AppObservation;
}

export interface LoopObservation {
  sent: number;
  answered: number;
  failures: { at: number; error: string }[];
  statuses: Record<string, number>;
}

const HEALTH_CHECK = '/grpc.health.v1.Health/Check';
const REDIS_PING = '*1\r\n$4\r\nPING\r\n';

function errorCode(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { library?: string; reason?: string };
  return e.code ?? e.reason ?? e.message ?? String(err);
}

function httpRequest(req: AppRequest, connect: http.RequestOptions, timeoutMs: number): Promise<AppObservation> {
  return new Promise((resolve) => {
    const body = req.body ?? '';
    const r = http.request(
      // agent:false would make Node build a fresh Agent that ignores `createConnection` and dials plaintext on its
      // own; over a socket we already hold (TLS with a foreign certificate), no agent must be set at all.
      { ...connect, method: body ? 'POST' : 'GET', path: req.path ?? '/', ...(connect.createConnection ? {} : { agent: false }), timeout: timeoutMs, headers: { 'content-length': Buffer.byteLength(body), connection: 'close' } },
      (res) => {
        let head = '';
        let bytes = 0;
        const keep = req.keep ?? 300;
        res.on('data', (d: Buffer) => {
          bytes += d.length;
          if (head.length < keep) head += d.toString('latin1').slice(0, keep - head.length);
        });
        res.on('end', () => resolve({ answered: true, httpStatus: res.statusCode, head, bytes }));
        res.on('error', () => resolve({ answered: true, httpStatus: res.statusCode, head, bytes }));
      },
    );
    r.on('timeout', () => r.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    r.on('error', (err) => resolve({ answered: false, error: errorCode(err) }));
    r.end(body);
  });
}

/** A gRPC unary call over HTTP/2 on an existing or new connection; status and message come from the trailers. */
function grpcOverSession(session: http2.ClientHttp2Session, req: AppRequest, timeoutMs: number): Promise<AppObservation> {
  return new Promise((resolve) => {
    const msg = Buffer.from(req.body ?? '', 'utf8');
    const frame = Buffer.alloc(5 + msg.length);
    frame.writeUInt32BE(msg.length, 1);
    msg.copy(frame, 5);
    let status: number | undefined;
    let grpcCode: number | undefined;
    let grpcMessage: string | undefined;
    const done = (o: AppObservation) => {
      clearTimeout(timer);
      session.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => done({ answered: status !== undefined, httpStatus: status, error: 'TIMEOUT' }), timeoutMs);
    session.on('error', (err) => done({ answered: false, error: errorCode(err) }));
    const stream = session.request({ ':method': 'POST', ':path': req.path ?? HEALTH_CHECK, 'content-type': 'application/grpc', te: 'trailers' });
    const takeStatus = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined) grpcCode = Number(h['grpc-status']);
      if (h['grpc-message'] !== undefined) grpcMessage = decodeURIComponent(String(h['grpc-message']));
    };
    stream.on('response', (h) => {
      status = Number(h[':status']);
      takeStatus(h);
    });
    stream.on('trailers', takeStatus);
    stream.on('error', (err) => done({ answered: status !== undefined, httpStatus: status, grpcCode, error: errorCode(err) }));
    stream.on('close', () =>
      done(status === undefined ? { answered: false, error: `stream closed (${stream.rstCode ?? 'no status'})` } : { answered: true, httpStatus: status, grpcCode, grpcMessage }),
    );
    stream.resume();
    stream.end(frame);
  });
}

function tcpRequest(req: AppRequest, socket: net.Socket, timeoutMs: number): Promise<AppObservation> {
  return new Promise((resolve) => {
    let head = '';
    let bytes = 0;
    let settled = false;
    const done = (o: AppObservation) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => done(bytes ? { answered: true, head, bytes } : { answered: false, error: 'TIMEOUT' }), timeoutMs);
    socket.on('data', (d: Buffer) => {
      bytes += d.length;
      head += d.toString('latin1').slice(0, 300 - head.length);
      // A Redis-style reply ends with CRLF: no need to wait for more.
      if (head.endsWith('\r\n')) done({ answered: true, head, bytes });
    });
    socket.on('error', (err) => done(bytes ? { answered: true, head, bytes } : { answered: false, error: errorCode(err) }));
    socket.on('close', () => done(bytes ? { answered: true, head, bytes } : { answered: false, error: 'CLOSED' }));
    socket.write(req.body ?? REDIS_PING);
  });
}

async function appRequest(op: Extract<ToolOp, { op: 'app' }>): Promise<AppObservation> {
  const timeoutMs = op.timeoutMs ?? 5000;
  if (op.protocol === 'http') return httpRequest(op, { host: op.host, port: op.port }, timeoutMs);
  if (op.protocol === 'grpc') return grpcOverSession(http2.connect(`http://${op.host}:${op.port}`), op, timeoutMs);
  const socket = net.connect(op.port, op.host);
  return tcpRequest(op, socket, timeoutMs);
}

function chainOf(socket: tls.TLSSocket): string[] {
  const out: string[] = [];
  let cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(new X509Certificate(cert.raw).toString());
    cert = cert.issuerCertificate;
  }
  return out;
}

async function tlsRequest(op: Extract<ToolOp, { op: 'tls' }>): Promise<TlsObservation> {
  const timeoutMs = op.timeoutMs ?? 5000;
  const alpn = op.alpn ?? (op.request?.protocol === 'grpc' ? ['h2'] : undefined);
  const socket = tls.connect({
    host: op.host,
    port: op.port,
    // SNI must be a host name: an identity in DNS form (Linkerd) is sent, a SPIFFE URI or an address is not.
    servername: op.servername && /^[a-z0-9.-]+$/i.test(op.servername) && !net.isIP(op.servername) ? op.servername : undefined,
    minVersion: op.minVersion,
    maxVersion: op.maxVersion,
    ciphers: op.ciphers,
    cert: op.certPem,
    key: op.keyPem,
    ALPNProtocols: alpn,
    // The probe judges the peer's certificate itself; it must see it even when it chains to an unknown root.
    rejectUnauthorized: false,
  });
  const handshake = await new Promise<TlsObservation>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ handshake: false, error: 'TIMEOUT' });
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve({ handshake: true, protocol: socket.getProtocol(), cipher: socket.getCipher()?.name, alpn: socket.alpnProtocol, chainPem: chainOf(socket) });
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      resolve({ handshake: false, error: errorCode(err) });
    });
  });
  if (!handshake.handshake || !op.request) {
    socket.destroy();
    return handshake;
  }
  const req = op.request;
  let app: AppObservation;
  if (req.protocol === 'http') app = await httpRequest(req, { host: op.host, port: op.port, createConnection: () => socket }, timeoutMs);
  else if (req.protocol === 'grpc') app = await grpcOverSession(http2.connect(`https://${op.host}:${op.port}`, { createConnection: () => socket }), req, timeoutMs);
  else app = await tcpRequest(req, socket, timeoutMs);
  return { ...handshake, app };
}

/** Requests at a steady interval for a while: counts every request that did not get an application answer. */
async function loop(op: Extract<ToolOp, { op: 'loop' }>): Promise<LoopObservation> {
  const out: LoopObservation = { sent: 0, answered: 0, failures: [], statuses: {} };
  let end = Date.now() + op.durationMs;
  // Stopped early by the probe (SIGTERM): finish the requests in flight and report.
  process.once('SIGTERM', () => (end = 0));
  const inflight: Promise<void>[] = [];
  while (Date.now() < end) {
    const at = Date.now();
    out.sent++;
    inflight.push(
      appRequest({ ...op, op: 'app' }).then((o) => {
        const key = o.grpcCode !== undefined ? `grpc-${o.grpcCode}` : o.httpStatus !== undefined ? `http-${o.httpStatus}` : o.error ?? 'answered';
        out.statuses[key] = (out.statuses[key] ?? 0) + 1;
        if (o.answered) out.answered++;
        else if (out.failures.length < 50) out.failures.push({ at, error: o.error ?? 'no answer' });
      }),
    );
    await new Promise((r) => setTimeout(r, op.intervalMs));
  }
  await Promise.all(inflight);
  return out;
}

export async function runOp(op: ToolOp): Promise<AppObservation | TlsObservation | LoopObservation> {
  if (op.op === 'app') return appRequest(op);
  if (op.op === 'tls') return tlsRequest(op);
  if (op.op === 'loop') return loop(op);
  throw new Error(`unknown tool op ${(op as { op: string }).op}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ops = JSON.parse(process.argv[2] ?? '[]') as ToolOp[];
  const results = [];
  for (const op of ops) results.push(await runOp(op));
  process.stdout.write(JSON.stringify(results));
}
