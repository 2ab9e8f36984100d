// Runs Online Boutique's processes on 127.0.0.1 with free ports — for tests and for trying a service without a
// local stack. Every process started here is tracked and stopped by `stopAll()`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkHealth } from './grpc.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface Proc {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | string>;
}

export class Loopback {
  private procs: Proc[] = [];

  private track(name: string, child: ChildProcess): Proc {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d));
    child.stderr?.on('data', (d: Buffer) => (out += d));
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    const proc = { name, child, output: () => out, exited };
    this.procs.push(proc);
    return proc;
  }

  redis(port: number): Proc {
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    return this.track(`redis:${port}`, child);
  }

  service(module: string, env: Record<string, string>): Proc {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, module], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return this.track(module, child);
  }

  async stop(proc: Proc): Promise<void> {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
    const done = await Promise.race([proc.exited, sleep(3000).then(() => 'timeout')]);
    if (done === 'timeout') proc.child.kill('SIGKILL'), await proc.exited;
    this.procs = this.procs.filter((p) => p !== proc);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.procs].map((p) => this.stop(p)));
  }
}

// Generous: tests share two cores with other work, and a cold start of a dozen Node processes can take long.
const READY_TIMEOUT_MS = 90_000;

/** Waits until a gRPC health Check answers `want` (default SERVING). */
export async function waitGrpc(addr: string, timeoutMs = READY_TIMEOUT_MS, want = 'SERVING'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      last = await checkHealth(addr, 1000);
      if (last === want) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${addr} not ${want} after ${timeoutMs} ms (last: ${last})`);
}

export async function waitHttp(url: string, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${url} not answering 200 after ${timeoutMs} ms`);
}

/** The whole shop on loopback: redis, the nine gRPC services and the frontend. Returns the addresses. */
export async function startShop(lb: Loopback): Promise<{ frontend: string; addrs: Record<string, string>; redisPort: number; redis: Proc }> {
  const ports = Object.fromEntries(
    await Promise.all(['redis', 'frontend', 'checkout', 'cart', 'productcatalog', 'currency', 'payment', 'shipping', 'email', 'recommendation', 'ad'].map(async (s) => [s, await freePort()] as const)),
  ) as Record<string, number>;
  const a = (s: string) => `127.0.0.1:${ports[s]}`;
  const redis = lb.redis(ports.redis!);
  const peers = {
    PRODUCT_CATALOG_SERVICE_ADDR: a('productcatalog'),
    CURRENCY_SERVICE_ADDR: a('currency'),
    CART_SERVICE_ADDR: a('cart'),
    RECOMMENDATION_SERVICE_ADDR: a('recommendation'),
    SHIPPING_SERVICE_ADDR: a('shipping'),
    CHECKOUT_SERVICE_ADDR: a('checkout'),
    AD_SERVICE_ADDR: a('ad'),
    PAYMENT_SERVICE_ADDR: a('payment'),
    EMAIL_SERVICE_ADDR: a('email'),
    REDIS_ADDR: a('redis'),
  };
  const grpcServices = ['checkout', 'cart', 'productcatalog', 'currency', 'payment', 'shipping', 'email', 'recommendation', 'ad'];
  const procs = [...grpcServices, 'frontend'].map((s) => lb.service(s, { ...peers, PORT: String(ports[s]) }));
  // A process that dies during start fails the wait at once, with its output.
  const died = Promise.race(procs.map((p) => p.exited.then((code) => Promise.reject(new Error(`${p.name} exited (${code}) while starting:\n${p.output()}`)))));
  await Promise.race([died, Promise.all([...grpcServices.map((s) => waitGrpc(a(s))), waitHttp(`http://${a('frontend')}/_healthz`)])]);
  died.catch(() => {});
  return { frontend: `http://${a('frontend')}`, addrs: Object.fromEntries(Object.keys(ports).map((s) => [s, a(s)])), redisPort: ports.redis!, redis };
}
