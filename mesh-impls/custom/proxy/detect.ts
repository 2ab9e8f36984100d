// Protocol detection from the first bytes a client sends: TLS record, HTTP/2 connection preface, an HTTP/1 request
// line, or anything else (opaque TCP). The bytes read are put back on the socket for whoever handles it next.
import type { Socket } from 'node:net';

export type Protocol = 'tls' | 'h2' | 'http1' | 'opaque';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const METHODS = ['GET ', 'POST ', 'PUT ', 'DELETE ', 'HEAD ', 'OPTIONS ', 'PATCH ', 'CONNECT ', 'TRACE '].map((m) => Buffer.from(m));
const MAX_PEEK = 24;

/** Classifies `head`, or returns undefined when more bytes are needed to tell. */
export function classify(head: Buffer): Protocol | undefined {
  if (head.length === 0) return undefined;
  if (head[0] === 0x16) return head.length < 2 ? undefined : head[1] === 0x03 ? 'tls' : 'opaque';
  const prefixOf = (b: Buffer) => head.subarray(0, Math.min(head.length, b.length)).equals(b.subarray(0, Math.min(head.length, b.length)));
  const h2 = prefixOf(H2_PREFACE);
  const h1 = METHODS.some(prefixOf);
  if (!h2 && !h1) return 'opaque';
  if (h2 && head.length >= H2_PREFACE.length) return 'h2';
  if (h1 && METHODS.some((m) => head.length >= m.length && head.subarray(0, m.length).equals(m))) return 'http1';
  return head.length >= MAX_PEEK ? 'opaque' : undefined;
}

/** What an undecided (too short) head would become: the protocol whose start it matches. */
function partial(head: Buffer): Protocol | undefined {
  if (head.length === 0) return undefined;
  const prefixOf = (b: Buffer) => head.length <= b.length && b.subarray(0, head.length).equals(head);
  if (prefixOf(H2_PREFACE)) return 'h2';
  if (METHODS.some(prefixOf)) return 'http1';
  return undefined;
}

/**
 * Reads until the protocol is known (or `timeoutMs` passes with too few bytes: then opaque, as for server-speaks-first
 * protocols on ports nobody marked opaque). Resolves 'closed' if the client goes away first.
 */
export function detect(sock: Socket, timeoutMs: number): Promise<Protocol | 'closed'> {
  return new Promise((resolve) => {
    let head: Buffer = Buffer.alloc(0);
    const finish = (p: Protocol | 'closed') => {
      clearTimeout(timer);
      sock.removeListener('data', onData);
      sock.removeListener('close', onClose);
      sock.removeListener('end', onClose);
      if (p !== 'closed') {
        sock.pause();
        if (head.length) sock.unshift(head);
      }
      resolve(p);
    };
    const onData = (d: Buffer) => {
      head = head.length ? Buffer.concat([head, d]) : d;
      const p = classify(head);
      if (p) finish(p);
    };
    const onClose = () => finish('closed');
    // Out of time with a partial HTTP start (a slowloris client, byte by byte): hand it to the HTTP server, whose
    // header timeout then cuts it. Nothing at all: a server-speaks-first protocol, so opaque.
    const timer = setTimeout(() => finish(classify(head) ?? partial(head) ?? 'opaque'), timeoutMs);
    sock.on('data', onData);
    sock.once('close', onClose);
    sock.once('end', onClose);
  });
}
