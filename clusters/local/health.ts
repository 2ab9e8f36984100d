// Readiness checks the way a kubelet does them: an HTTP GET, a gRPC grpc.health.v1.Health/Check, or a TCP connect.
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import type { HealthCheck } from '../../workloads/types.ts';

// HealthCheckRequest{service:""} encodes to zero bytes; HealthCheckResponse{status} is field 1, varint (1 = SERVING).
const healthClient = grpc.makeGenericClientConstructor(
  {
    Check: {
      path: '/grpc.health.v1.Health/Check',
      requestStream: false,
      responseStream: false,
      requestSerialize: () => Buffer.alloc(0),
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
    },
  },
  'Health',
);

function grpcServing(ip: string, port: number, timeoutMs: number): Promise<boolean> {
  const client = new healthClient(`${ip}:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      () => Buffer.alloc(0),
      (b: Buffer) => b,
      {},
      { deadline: Date.now() + timeoutMs },
      (err: grpc.ServiceError | null, res?: Buffer) => {
        client.close();
        resolve(!err && !!res && res.length >= 2 && res[0] === 0x08 && res[1] === 0x01);
      },
    );
  });
}

async function httpOk(ip: string, port: number, path: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(`http://${ip}:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status >= 200 && res.status < 400;
  } catch {
    return false;
  }
}

function tcpOpen(ip: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: ip, port, timeout: timeoutMs });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('timeout', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(false));
  });
}

export function checkOnce(ip: string, check: HealthCheck, timeoutMs = 1000): Promise<boolean> {
  switch (check.kind) {
    case 'http':
      return httpOk(ip, check.port, check.path, timeoutMs);
    case 'grpc':
      return grpcServing(ip, check.port, timeoutMs);
    case 'tcp':
      return tcpOpen(ip, check.port, timeoutMs);
  }
}

/** Polls until healthy; the error names the pod, the check and how long it waited. */
export async function waitHealthy(what: string, ip: string, check: HealthCheck, timeoutMs: number, isDead?: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  while (Date.now() < deadline) {
    if (await checkOnce(ip, check)) return;
    const dead = isDead?.();
    if (dead) throw new Error(`${what} exited before it became healthy (${dead})`);
    await sleep(delay);
    delay = Math.min(delay * 2, 500);
  }
  const desc = check.kind === 'http' ? `HTTP GET :${check.port}${check.path}` : `${check.kind} :${check.port}`;
  throw new Error(`${what} (${ip}) not healthy after ${timeoutMs} ms: ${desc} did not succeed`);
}
