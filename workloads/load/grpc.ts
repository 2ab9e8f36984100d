// Unary gRPC calls for journey requests that carry `grpc` (see journey.ts), over @grpc/grpc-js.
// `connections` separate HTTP/2 connections (a local subchannel pool per client), used round-robin; each call has a
// deadline of the plan's timeout. DEADLINE_EXCEEDED counts as a timeout, any other non-OK status by its code.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ErrorClass } from './errors.ts';

export type GrpcOutcome = { ok: true } | { ok: false; error: ErrorClass | { grpc: string } };

interface MethodCodec {
  path: string;
  requestSerialize: (value: object) => Buffer;
  responseDeserialize: (bytes: Buffer) => object;
}

export class GrpcCaller {
  private readonly clients: grpc.Client[];
  private next = 0;
  private readonly methods = new Map<string, MethodCodec>();

  constructor(baseUrl: string, connections: number, private readonly timeoutMs: number) {
    const target = new URL(baseUrl).host;
    this.clients = Array.from({ length: connections }, () =>
      new grpc.Client(target, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }),
    );
  }

  private codec(protoFile: string, path: string): MethodCodec {
    const key = `${protoFile}#${path}`;
    let codec = this.methods.get(key);
    if (codec) return codec;
    const [, service, method] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
    if (!service) throw new Error(`gRPC path "${path}" must look like /package.Service/Method`);
    const definition = protoLoader.loadSync(protoFile, { keepCase: true, longs: String, enums: String, defaults: true });
    const found = (definition[service] as Record<string, MethodCodec> | undefined)?.[method];
    if (!found) throw new Error(`gRPC method ${service}/${method} is not defined in ${protoFile}`);
    this.methods.set(key, (codec = found));
    return codec;
  }

  call(protoFile: string, path: string, message: object, done: (outcome: GrpcOutcome) => void): void {
    const codec = this.codec(protoFile, path);
    const client = this.clients[this.next++ % this.clients.length];
    client.makeUnaryRequest(path, codec.requestSerialize, codec.responseDeserialize, message, { deadline: Date.now() + this.timeoutMs }, (err) => {
      if (!err) return done({ ok: true });
      if (err.code === grpc.status.DEADLINE_EXCEEDED) return done({ ok: false, error: 'timeout' });
      done({ ok: false, error: { grpc: String(err.code) } });
    });
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}
