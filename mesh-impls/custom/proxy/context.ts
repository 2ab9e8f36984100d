// What a proxy knows about one accepted connection, carried from accept to each request on it.
import type { TrafficRow, Endpoint } from '../shared/config.ts';

export const CTX = Symbol('mb.ctx');

export interface ConnCtx {
  /** Original destination. */
  ip: string;
  port: number;
  /** Inbound: the caller. */
  callerIp: string;
  callerId?: string;
  tls: boolean;
  /** Outbound: the destination service, as discovery knows it. */
  service?: string;
  ep?: Endpoint;
  /** Outbound to a Service virtual IP (Kubernetes): its `ip:port`, whose pods are the candidates. */
  vip?: string;
  row?: TrafficRow;
}

export function ctxOf(holder: unknown): ConnCtx {
  const ctx = (holder as { [CTX]?: ConnCtx })[CTX];
  if (!ctx) throw new Error('connection without proxy context');
  return ctx;
}

export function setCtx(holder: object, ctx: ConnCtx): void {
  (holder as { [CTX]?: ConnCtx })[CTX] = ctx;
}

/** Pipes two sockets both ways; either side failing or closing tears down the other. Adds bytes to `row` at the end. */
export function splice(a: import('node:net').Socket, b: import('node:net').Socket, row: TrafficRow | undefined): void {
  a.pipe(b);
  b.pipe(a);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    a.destroy();
    b.destroy();
    if (row) {
      row.tcpClose++;
      row.bytesIn += a.bytesRead;
      row.bytesOut += a.bytesWritten;
    }
  };
  a.on('error', close);
  b.on('error', close);
  a.on('close', close);
  b.on('close', close);
}
