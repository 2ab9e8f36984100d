// gRPC plumbing shared by the Online Boutique services: the hipstershop API loaded from demo.proto, promise clients
// for peers, and a server runner that binds PORT, serves grpc.health.v1 Check and shuts down cleanly on SIGTERM.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Client, Handlers, ServiceName } from './api.ts';

const protoDir = fileURLToPath(new URL('../proto/', import.meta.url));
const definition = protoLoader.loadSync(['demo.proto', 'health.proto'], {
  includeDirs: [protoDir],
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
});
const loaded = grpc.loadPackageDefinition(definition) as unknown as {
  hipstershop: Record<ServiceName, grpc.ServiceClientConstructor>;
  grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
};

/** Thrown by a handler to answer with this status instead of INTERNAL. */
export class GrpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

export const Status = grpc.status;

/** Reads a required environment variable; the error says what it is for and how to set it. */
export function env(name: string, purpose: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: it must hold ${purpose} (e.g. ${name}=host:port).`);
  return value;
}

export function listenPort(fallback: number): number {
  const raw = process.env.PORT ?? String(fallback);
  const port = Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`PORT="${raw}" is not a TCP port number (1–65535).`);
  return port;
}

const DEFAULT_DEADLINE_MS = 10_000;

// Pods start together, so a first connection attempt is often refused. grpc-js' default backoff (1 s growing to
// 120 s) would keep a channel failing fast for seconds after its peer is up; retry quickly instead, capped at
// 250 ms (a refused local connect costs next to nothing).
const CHANNEL_OPTIONS = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 250 };

/** A promise client for one peer service. One channel per client; grpc-js reconnects it as needed. */
export function connect<S extends ServiceName>(service: S, addr: string, defaultDeadlineMs = DEFAULT_DEADLINE_MS): Client<S> {
  const Ctor = loaded.hipstershop[service];
  const stub = new Ctor(addr, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as Record<string, Function>;
  const client: Record<string, unknown> = {};
  for (const method of Object.keys(Ctor.service)) {
    client[method] = (req: unknown, deadlineMs = defaultDeadlineMs) =>
      new Promise((resolve, reject) =>
        stub[method]!.call(stub, req, { deadline: Date.now() + deadlineMs }, (err: grpc.ServiceError | null, res: unknown) =>
          err ? reject(err) : resolve(res),
        ),
      );
  }
  return client as Client<S>;
}

/** Serves `impl` and grpc.health.v1 Check on 0.0.0.0:port. `healthy` decides SERVING vs NOT_SERVING. */
export async function serve<S extends ServiceName>(
  service: S,
  impl: Handlers<S>,
  opts: { port: number; healthy?: () => Promise<boolean> },
): Promise<grpc.Server> {
  const server = new grpc.Server();
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const [method, fn] of Object.entries(impl) as [string, (req: unknown) => unknown][]) {
    handlers[method] = (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      Promise.resolve()
        .then(() => fn(call.request))
        .then(
          (res) => cb(null, res),
          (err: Error & { code?: number }) => {
            const code = err instanceof GrpcError ? err.code : grpc.status.INTERNAL;
            if (code === grpc.status.INTERNAL) console.error(`${service}/${method} failed: ${err.message}`);
            cb({ code, details: err.message } as grpc.ServiceError);
          },
        );
    };
  }
  server.addService(loaded.hipstershop[service].service, handlers);
  server.addService(loaded.grpc.health.v1.Health.service, {
    Check: (_call: unknown, cb: grpc.sendUnaryData<{ status: string }>) => {
      const check = opts.healthy ?? (async () => true);
      check().then(
        (ok) => cb(null, { status: ok ? 'SERVING' : 'NOT_SERVING' }),
        () => cb(null, { status: 'NOT_SERVING' }),
      );
    },
  });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`0.0.0.0:${opts.port}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  onShutdown(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
  console.log(`${service} listening on :${opts.port}`);
  return server;
}

const cleanups: (() => Promise<void>)[] = [];

/** Runs `fn` on SIGTERM/SIGINT before exiting; a stuck cleanup cannot hold the process longer than 2 s. */
export function onShutdown(fn: () => Promise<void>): void {
  if (cleanups.length === 0) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        setTimeout(() => process.exit(0), 2000).unref();
        Promise.allSettled(cleanups.map((c) => c())).then(() => process.exit(0));
      });
    }
  }
  cleanups.push(fn);
}

/** A health client, for tests and tools: resolves with the status name. */
export function checkHealth(addr: string, deadlineMs = 2000): Promise<string> {
  const client = new loaded.grpc.health.v1.Health(addr, grpc.credentials.createInsecure()) as unknown as {
    Check: Function;
    close(): void;
  };
  return new Promise((resolve, reject) =>
    client.Check({ service: '' }, { deadline: Date.now() + deadlineMs }, (err: Error | null, res: { status: string }) => {
      client.close();
      err ? reject(err) : resolve(res.status);
    }),
  );
}
