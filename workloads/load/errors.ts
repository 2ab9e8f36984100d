// Failed requests by class (connect, timeout, HTTP 4xx/5xx, gRPC status, other): the same classes for every engine.
import type { ErrorCounts } from '../../reports/schema.ts';

export type ErrorClass = 'connect' | 'timeout' | 'http4xx' | 'http5xx' | 'other';

export function emptyErrors(): ErrorCounts {
  return { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, grpc: {}, other: 0 };
}

export function totalErrors(e: ErrorCounts): number {
  return e.connect + e.timeout + e.http4xx + e.http5xx + e.other + Object.values(e.grpc).reduce((a, b) => a + b, 0);
}

export function addErrors(into: ErrorCounts, from: ErrorCounts): ErrorCounts {
  into.connect += from.connect;
  into.timeout += from.timeout;
  into.http4xx += from.http4xx;
  into.http5xx += from.http5xx;
  into.other += from.other;
  for (const [code, n] of Object.entries(from.grpc)) into.grpc[code] = (into.grpc[code] ?? 0) + n;
  return into;
}

/** A status outside the expected set: 4xx and 5xx by range; anything else (an unexpected 2xx/3xx) is `other`. */
export function classifyStatus(status: number): ErrorClass {
  if (status >= 400 && status < 500) return 'http4xx';
  if (status >= 500 && status < 600) return 'http5xx';
  return 'other';
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 'ABORT_ERR']);

/** Classifies an error thrown by undici (or Node's net layer) for a request that got no usable response. */
export function classifyError(err: unknown): ErrorClass {
  const e = err as { code?: string; name?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code ?? '';
  if (CONNECT_CODES.has(code)) return 'connect';
  if (TIMEOUT_CODES.has(code) || e?.name === 'TimeoutError') return 'timeout';
  return 'other';
}
