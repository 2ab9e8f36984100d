// A small local HTTP server for the engine's tests and benchmark: answers every request after a fixed delay, and can
// stall once (hold every request that arrives in a window until the window ends) to show coordinated omission.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** Runs `fn` `ms` after `from` (performance.now() ms), to ~0.1 ms: a timer to within 1 ms, then setImmediate polls.
 * A bare setTimeout(5) fires after ~5.3 ms here, which would blur the engine's own accuracy. */
function precisely(fn: () => void, from: number, ms: number): void {
  const due = from + ms;
  const poll = () => {
    const left = due - performance.now();
    if (left <= 0) fn();
    else if (left > 1.5) setTimeout(poll, left - 1.5);
    else setImmediate(poll);
  };
  poll();
}

export interface TestServerOptions {
  /** Fixed delay before answering, in ms (0: answer at once). */
  delayMs?: number;
  /** Stall once: when the `afterRequests`-th request (counting only `path`, if given) arrives, hold it and every
   * request arriving in the next `forMs` until that window ends — a server pausing for `forMs` (like a GC pause). */
  stall?: { afterRequests: number; forMs: number; path?: string };
  body?: string;
}

export interface TestServer {
  url: string;
  server: Server;
  requests(): number;
  close(): Promise<void>;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const body = opts.body ?? 'ok\n';
  let count = 0;
  let counted = 0;
  let stallEnd = -1; // performance.now() ms when the stall window ends; -1 before the stall
  const server = createServer({ keepAlive: true }, (req, res) => {
    const arrived = performance.now();
    count++;
    req.resume();
    const reply = () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    let wait = opts.delayMs ?? 0;
    const stall = opts.stall;
    if (stall && (!stall.path || req.url === stall.path) && ++counted === stall.afterRequests) stallEnd = arrived + stall.forMs;
    if (arrived < stallEnd) wait = Math.max(wait, stallEnd - arrived);
    if (wait > 0) precisely(reply, arrived, wait);
    else reply();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
