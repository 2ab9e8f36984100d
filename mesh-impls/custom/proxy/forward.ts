// Moving one HTTP request through the proxy, in the three shapes the mesh needs: HTTP/2 stream → HTTP/2 session
// (gRPC and proxy-to-proxy traffic), HTTP/1 request → HTTP/2 session (an HTTP/1 app's call leaving the pod), and
// HTTP/2 stream or HTTP/1 request → HTTP/1 app (arriving at an HTTP/1 app). Bodies are piped, never buffered.
import * as http from 'node:http';
import * as http2 from 'node:http2';

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR } = http2.constants;
const END_STREAM = 0x1;
/** Connection-specific headers (RFC 9113 §8.2.2) plus ours: never forwarded across a hop. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'http2-settings', 'x-mb-orig-proto']);
/** Carried proxy→proxy so the inbound side talks HTTP/1 to an HTTP/1 app. */
export const ORIG_PROTO = 'x-mb-orig-proto';

/** Reports how a request ended: `ok` is false for 5xx, non-zero gRPC status, timeouts and transport errors. */
export type Done = (ok: boolean) => void;

const isGrpc = (ct: unknown) => typeof ct === 'string' && ct.startsWith('application/grpc');

export function sendH2Error(down: http2.ServerHttp2Stream, grpc: boolean, httpStatus: number, grpcStatus: number, message: string): void {
  if (down.destroyed || down.closed) return;
  if (down.headersSent) {
    down.close(NGHTTP2_INTERNAL_ERROR);
    return;
  }
  if (grpc) down.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(grpcStatus), 'grpc-message': message, 'x-mb-proxy-error': message }, { endStream: true });
  else {
    down.respond({ ':status': httpStatus, 'content-type': 'text/plain', 'x-mb-proxy-error': message });
    down.end(message + '\n');
  }
}

export function sendH1Error(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(message) + 1, 'x-mb-proxy-error': message });
  res.end(message + '\n');
}

/** An HTTP/2 stream to an HTTP/2 upstream: headers, body, response and gRPC trailers, as they come. */
export function h2ToH2(down: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, session: () => http2.ClientHttp2Session, timeoutMs: number, done: Done, retryable: () => boolean): void {
  const grpc = isGrpc(headers['content-type']);
  const endStream = (flags & END_STREAM) !== 0;
  let ok = true;
  let finished = false;
  let up: http2.ClientHttp2Stream | undefined;
  const finish = () => {
    if (finished) return;
    finished = true;
    done(ok && down.rstCode === 0);
  };
  down.once('close', () => {
    // Cancel upstream only if its response is unfinished: a RST_STREAM after every request costs a frame and trips the
    // peer's rapid-reset protection (ENHANCE_YOUR_CALM).
    if (up && !up.closed && !up.readableEnded) up.close(NGHTTP2_CANCEL);
    finish();
  });
  const attempt = (n: number) => {
    let s: http2.ClientHttp2Session;
    let u: http2.ClientHttp2Stream;
    try {
      s = session();
      u = s.request(headers, { endStream });
    } catch (err) {
      ok = false;
      return sendH2Error(down, grpc, 502, 14, `upstream unavailable: ${(err as Error).message}`);
    }
    up = u;
    if (!endStream) down.pipe(u);
    let trailers: http2.IncomingHttpHeaders | undefined;
    u.setTimeout(timeoutMs, () => {
      ok = false;
      u.close(NGHTTP2_CANCEL);
      sendH2Error(down, grpc, 504, 4, 'request timed out in proxy');
    });
    u.on('response', (h, fl) => {
      if (down.destroyed || down.closed) return;
      const status = Number(h[':status']);
      if (status >= 500) ok = false;
      if ((fl & END_STREAM) !== 0) {
        if (h['grpc-status'] !== undefined && h['grpc-status'] !== '0') ok = false;
        down.respond(h, { endStream: true });
        return;
      }
      if (isGrpc(h['content-type'])) {
        down.respond(h, { waitForTrailers: true });
        down.once('wantTrailers', () => {
          if (trailers) {
            if (trailers['grpc-status'] !== '0') ok = false;
            down.sendTrailers(trailers);
          } else down.close();
        });
      } else down.respond(h);
      u.pipe(down);
    });
    u.on('trailers', (t) => (trailers = t));
    u.on('error', (err) => {
      if (!down.headersSent && endStream && n < 2 && retryable()) return attempt(n + 1);
      ok = false;
      sendH2Error(down, grpc, 502, 14, `upstream error: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
    });
  };
  attempt(0);
}

/** An HTTP/1 request from an app to an HTTP/2 upstream (the peer proxy), marked so the far side speaks HTTP/1 again. */
export function h1ToH2(req: http.IncomingMessage, res: http.ServerResponse, authority: string, session: () => http2.ClientHttp2Session, timeoutMs: number, done: Done, retryable: () => boolean): void {
  const headers: http2.OutgoingHttpHeaders = { ':method': req.method, ':path': req.url, ':authority': req.headers.host ?? authority, ':scheme': 'http', [ORIG_PROTO]: '1' };
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i].toLowerCase();
    if (HOP.has(k) || (k === 'te' && raw[i + 1] !== 'trailers')) continue;
    const prev = headers[k];
    headers[k] = prev === undefined ? raw[i + 1] : Array.isArray(prev) ? [...prev, raw[i + 1]] : [String(prev), raw[i + 1]];
  }
  const cl = req.headers['content-length'];
  const bodiless = !req.headers['transfer-encoding'] && (cl === undefined || cl === '0');
  const idempotent = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
  let ok = true;
  let finished = false;
  let up: http2.ClientHttp2Stream | undefined;
  res.once('close', () => {
    // Cancel upstream only if its response is unfinished: a RST_STREAM after every request costs a frame and trips the
    // peer's rapid-reset protection (ENHANCE_YOUR_CALM).
    if (up && !up.closed && !up.readableEnded) up.close(NGHTTP2_CANCEL);
    if (!finished) {
      finished = true;
      done(ok && res.writableFinished);
    }
  });
  const attempt = (n: number) => {
    let u: http2.ClientHttp2Stream;
    try {
      u = session().request(headers, { endStream: bodiless });
    } catch (err) {
      ok = false;
      return sendH1Error(res, 502, `upstream unavailable: ${(err as Error).message}`);
    }
    up = u;
    if (!bodiless) req.pipe(u);
    u.setTimeout(timeoutMs, () => {
      ok = false;
      u.close(NGHTTP2_CANCEL);
      sendH1Error(res, 504, 'request timed out in proxy');
    });
    u.on('response', (h) => {
      const status = Number(h[':status']);
      if (status >= 500) ok = false;
      const out: http.OutgoingHttpHeaders = {};
      for (const k in h) if (k[0] !== ':' && !HOP.has(k)) out[k] = h[k];
      res.writeHead(status, out);
      u.pipe(res);
    });
    u.on('error', (err) => {
      if (!res.headersSent && bodiless && idempotent && n < 2 && retryable()) return attempt(n + 1);
      ok = false;
      sendH1Error(res, 502, `upstream error: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
    });
  };
  attempt(0);
}

/** An HTTP/2 stream (from a peer proxy) or an HTTP/1 request (from a plaintext client) to the local HTTP/1 app. */
export function toH1App(
  down: { kind: 'h2'; stream: http2.ServerHttp2Stream; headers: http2.IncomingHttpHeaders; flags: number } | { kind: 'h1'; req: http.IncomingMessage; res: http.ServerResponse },
  port: number,
  agent: http.Agent,
  timeoutMs: number,
  done: Done,
): void {
  let method: string;
  let path: string;
  const headers: http.OutgoingHttpHeaders = {};
  if (down.kind === 'h2') {
    const h = down.headers;
    method = String(h[':method']);
    path = String(h[':path']);
    headers.host = String(h[':authority'] ?? `127.0.0.1:${port}`);
    for (const k in h) if (k[0] !== ':' && !HOP.has(k)) headers[k] = h[k];
  } else {
    method = down.req.method ?? 'GET';
    path = down.req.url ?? '/';
    const raw = down.req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const k = raw[i].toLowerCase();
      if (k !== 'host' && HOP.has(k)) continue;
      if (k === 'transfer-encoding') continue;
      const prev = headers[k];
      headers[k] = prev === undefined ? raw[i + 1] : Array.isArray(prev) ? [...prev, raw[i + 1]] : [String(prev), raw[i + 1]];
    }
  }
  let ok = true;
  let finished = false;
  const finish = (fine: boolean) => {
    if (finished) return;
    finished = true;
    done(ok && fine);
  };
  const bodiless =
    down.kind === 'h2'
      ? (down.flags & END_STREAM) !== 0
      : !down.req.headers['transfer-encoding'] && (down.req.headers['content-length'] === undefined || down.req.headers['content-length'] === '0');
  let up: http.ClientRequest;
  let responseComplete = false;
  const onError = (err: Error) => {
    // A pooled keep-alive socket the app closed just as we reused it: safe to resend a request without a body.
    if (up.reusedSocket && bodiless && (err as NodeJS.ErrnoException).code === 'ECONNRESET' && !retried) {
      retried = true;
      return send();
    }
    ok = false;
    const msg = `app error: ${(err as NodeJS.ErrnoException).code ?? err.message}`;
    if (down.kind === 'h2') sendH2Error(down.stream, false, 502, 14, msg);
    else sendH1Error(down.res, 502, msg);
  };
  let retried = false;
  const send = () => {
    up = http.request({ host: '127.0.0.1', port, method, path, headers, agent });
    up.setTimeout(timeoutMs, () => {
      ok = false;
      up.destroy(new Error('request timed out in proxy'));
    });
    up.on('error', onError);
    if (down.kind === 'h2') {
      const s = down.stream;
      if (bodiless) up.end();
      else s.pipe(up);
      up.on('response', (res) => {
        if (s.destroyed || s.closed) return res.resume();
        const status = res.statusCode ?? 502;
        if (status >= 500) ok = false;
        const out: http2.OutgoingHttpHeaders = { ':status': status };
        for (const k in res.headers) if (!HOP.has(k)) out[k] = res.headers[k];
        s.respond(out);
        res.once('end', () => (responseComplete = true));
        res.pipe(s);
      });
    } else {
      const { req, res } = down;
      if (bodiless) up.end();
      else req.pipe(up);
      up.on('response', (r) => {
        const status = r.statusCode ?? 502;
        if (status >= 500) ok = false;
        const out: http.OutgoingHttpHeaders = {};
        for (const k in r.headers) if (!HOP.has(k)) out[k] = r.headers[k];
        res.writeHead(status, out);
        r.once('end', () => (responseComplete = true));
        r.pipe(res);
      });
    }
  };
  if (down.kind === 'h2') {
    const s = down.stream;
    s.once('close', () => {
      // Destroying a finished request would destroy its keep-alive socket too.
      if (!up.destroyed && !responseComplete) up.destroy();
      finish(s.rstCode === 0);
    });
  } else {
    const { res } = down;
    res.once('close', () => {
      // Destroying a finished request would destroy its keep-alive socket too.
      if (!up.destroyed && !responseComplete) up.destroy();
      finish(res.writableFinished);
    });
  }
  send();
}
