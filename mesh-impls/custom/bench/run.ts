// `npm run bench:proxy`: one hop, client → proxy → proxy → server, for HTTP/1.1 and gRPC at fixed rates, side by side:
// no proxy, the custom proxy pair (full mesh: control plane, iptables, mTLS), and HAProxy as the same mTLS sidecar
// pair. Prints latency added over the no-proxy baseline (p50, p99), proxy CPU per 1,000 req/s, proxy RSS, and ratios.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalStack } from '../../../clusters/local/stack.ts';
import type { WorkloadService } from '../../../workloads/types.ts';
import { createCustomMesh } from '../index.ts';
import { ensureCa, makeKeyAndCsr, signCsr, spiffeId } from '../shared/pki.ts';
import { clientConfig, serverConfig, haproxyRules, writeOwned, HAPROXY_UID, type AppPort } from './haproxy.ts';
import { testWorkload, APPS } from '../test/fixture.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const HTTP_PORT = 8080;
const GRPC_PORT = 50051;
const PORTS: AppPort[] = [
  { port: HTTP_PORT, grpc: false },
  { port: GRPC_PORT, grpc: true },
];
export const VARIANTS = ['none', 'custom', 'haproxy'] as const;
type Variant = (typeof VARIANTS)[number];

export interface BenchOptions {
  rates: number[];
  durationMs: number;
  warmupMs: number;
  protocols: ('http' | 'grpc')[];
  log: (line: string) => void;
}

export interface BenchRow {
  protocol: 'http' | 'grpc';
  rps: number;
  variant: Variant;
  achievedRps: number;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  /** Both proxies together, in % of one core per 1,000 req/s. */
  cpuPctPer1k: number | null;
  /** Highest RSS of either proxy during the run. */
  rssMb: number | null;
}

const procCpuSec = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const procRssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const serverService = (name: string): WorkloadService => ({
  name,
  serviceAccount: name,
  ports: [
    { name: 'http', port: HTTP_PORT, protocol: 'http' },
    { name: 'grpc', port: GRPC_PORT, protocol: 'grpc' },
  ],
  health: { kind: 'http', port: HTTP_PORT, path: '/' },
  local: () => ({ name: 'app', cmd: process.execPath, args: [APPS, 'server', 'http', String(HTTP_PORT)] }),
});

async function waitListening(stack: LocalStack, pod: string, port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await stack.exec(pod, 'ss', ['-Hltn', `sport = :${port}`])).stdout.trim()) return;
    await sleep(50);
  }
  throw new Error(`nothing listening on ${pod}:${port}`);
}

async function startServers(stack: LocalStack, pod: string): Promise<void> {
  stack.spawn(pod, { name: 'http', cmd: process.execPath, args: [APPS, 'server', 'http', String(HTTP_PORT)] }, 'app');
  stack.spawn(pod, { name: 'grpc', cmd: process.execPath, args: [APPS, 'server', 'grpc', String(GRPC_PORT)] }, 'app');
  await waitListening(stack, pod, HTTP_PORT);
  await waitListening(stack, pod, GRPC_PORT);
}

export async function benchProxy(opts: BenchOptions): Promise<BenchRow[]> {
  const logDir = mkdtempSync(join(tmpdir(), 'mb-bench-proxy-'));
  const stack = await LocalStack.create({ logDir });
  const proxies: Record<Variant, number[]> = { none: [], custom: [], haproxy: [] };
  try {
    // Baseline: two plain pods.
    await stack.addPod('nclient');
    await stack.addPod('nserver');
    await startServers(stack, 'nserver');

    // Custom mesh: control plane + two injected pods.
    opts.log('starting the custom mesh pair');
    const mesh = createCustomMesh({ profile: 'permissive' });
    const cclient: WorkloadService = { ...testWorkload([{ name: 'cclient', kind: 'client' }]).services[0] };
    await mesh.local.install(stack, { ...testWorkload([{ name: 'cclient', kind: 'client' }]), services: [cclient, serverService('cserver')] });
    await mesh.local.inject(stack, await stack.addPod('cclient'), cclient);
    await mesh.local.inject(stack, await stack.addPod('cserver'), serverService('cserver'));
    await startServers(stack, 'cserver');
    proxies.custom = [mesh.local.proxyOf(stack, 'cclient').pid, mesh.local.proxyOf(stack, 'cserver').pid];

    // HAProxy pair with certificates from a CA of the same kind.
    opts.log('starting the HAProxy pair');
    const dir = stack.tempDir('haproxy');
    const { chownSync } = await import('node:fs');
    chownSync(dir, HAPROXY_UID, HAPROXY_UID);
    const ca = await ensureCa(join(dir, 'ca'), 'meshbench.local');
    for (const side of ['client', 'server']) {
      const { keyPem, csrPem } = await makeKeyAndCsr();
      const cert = await signCsr(ca, csrPem, spiffeId('meshbench.local', 'default', `h${side}`), 24 * 3600_000);
      writeOwned(join(dir, `${side}.pem`), cert.chainPem + keyPem);
    }
    writeOwned(join(dir, 'root.pem'), ca.rootPem);
    await stack.addPod('hclient');
    const hserver = await stack.addPod('hserver');
    writeOwned(join(dir, 'client.cfg'), clientConfig(dir, hserver.ip, PORTS));
    writeOwned(join(dir, 'server.cfg'), serverConfig(dir, PORTS));
    await stack.iptables('hclient', haproxyRules('client', PORTS));
    await stack.iptables('hserver', haproxyRules('server', PORTS));
    const hc = stack.spawn('hclient', { name: 'haproxy', cmd: 'haproxy', args: ['-db', '-f', join(dir, 'client.cfg')], uid: HAPROXY_UID }, 'proxy');
    const hs = stack.spawn('hserver', { name: 'haproxy', cmd: 'haproxy', args: ['-db', '-f', join(dir, 'server.cfg')], uid: HAPROXY_UID }, 'proxy');
    await startServers(stack, 'hserver');
    await waitListening(stack, 'hclient', 20000 + (HTTP_PORT % 10000));
    await waitListening(stack, 'hserver', 30000 + (GRPC_PORT % 10000));
    proxies.haproxy = [hc.pid, hs.pid];

    const pods: Record<Variant, [string, string]> = { none: ['nclient', 'nserver'], custom: ['cclient', 'cserver'], haproxy: ['hclient', 'hserver'] };
    const rows: BenchRow[] = [];
    for (const protocol of opts.protocols) {
      for (const rps of opts.rates) {
        for (const variant of VARIANTS) {
          const [client, server] = pods[variant];
          const port = protocol === 'http' ? HTTP_PORT : GRPC_PORT;
          const pids = proxies[variant];
          const cpu0 = pids.map(procCpuSec);
          let rss = 0;
          const sampler = setInterval(() => {
            for (const pid of pids) rss = Math.max(rss, procRssMb(pid));
          }, 250);
          const t0 = Date.now();
          const r = await stack.exec(
            client,
            process.execPath,
            ['--import', 'tsx', join(HERE, 'client.ts'), protocol, `${stack.pod(server).ip}:${port}`, String(rps), String(opts.durationMs), String(opts.warmupMs)],
            { timeoutMs: opts.durationMs + opts.warmupMs + 60_000 },
          );
          const wallS = (Date.now() - t0) / 1000;
          clearInterval(sampler);
          if (r.exitCode !== 0) throw new Error(`load client in ${client} failed: ${r.stderr.slice(-1500)}`);
          const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
          const cpuSec = pids.reduce((s, pid, i) => s + procCpuSec(pid) - cpu0[i], 0);
          // CPU is read over the whole client run (warm-up + window + process start); divide by the load time only.
          const loadS = Math.min(wallS, (opts.durationMs + opts.warmupMs) / 1000);
          const row: BenchRow = {
            protocol,
            rps,
            variant,
            achievedRps: out.achievedRps,
            requests: out.requests,
            errors: out.errors,
            p50Ms: out.latencyMs.p50,
            p99Ms: out.latencyMs.p99,
            cpuPctPer1k: pids.length ? (100 * cpuSec) / loadS / (rps / 1000) : null,
            rssMb: pids.length ? rss : null,
          };
          rows.push(row);
          opts.log(`${protocol} ${rps}/s ${variant}: p50 ${row.p50Ms.toFixed(2)} ms p99 ${row.p99Ms.toFixed(2)} ms, ${row.errors} errors, achieved ${row.achievedRps.toFixed(0)}/s` + (row.cpuPctPer1k === null ? '' : `, CPU ${row.cpuPctPer1k.toFixed(1)}%/1k, RSS ${row.rssMb!.toFixed(1)} MB`));
        }
      }
    }
    return rows;
  } finally {
    await stack.teardown();
  }
}

/** The side-by-side table: added latency over the baseline at the same protocol and rate, and custom/HAProxy ratios. */
export function renderTable(rows: BenchRow[]): string {
  const lines: string[] = [];
  const f = (v: number | null, d = 2) => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(d));
  const head = ['protocol', 'req/s', 'variant', 'p50 ms', 'p99 ms', '+p50 ms', '+p99 ms', 'CPU %core/1k', 'RSS MB', 'errors', 'achieved'];
  const table: string[][] = [head];
  const ratios: string[][] = [['protocol', 'req/s', '+p50 custom/haproxy', '+p99 custom/haproxy', 'CPU custom/haproxy', 'RSS custom/haproxy']];
  const keys = [...new Set(rows.map((r) => `${r.protocol}|${r.rps}`))];
  for (const key of keys) {
    const group = rows.filter((r) => `${r.protocol}|${r.rps}` === key);
    const base = group.find((r) => r.variant === 'none');
    const added = (r: BenchRow) => ({ p50: base ? r.p50Ms - base.p50Ms : NaN, p99: base ? r.p99Ms - base.p99Ms : NaN });
    for (const r of group) {
      const a = added(r);
      table.push([r.protocol, String(r.rps), r.variant, f(r.p50Ms), f(r.p99Ms), r.variant === 'none' ? '' : f(a.p50), r.variant === 'none' ? '' : f(a.p99), f(r.cpuPctPer1k, 1), f(r.rssMb, 1), String(r.errors), f(r.achievedRps, 0)]);
    }
    const c = group.find((r) => r.variant === 'custom');
    const h = group.find((r) => r.variant === 'haproxy');
    if (c && h) {
      const ratio = (x: number, y: number) => (y > 0 ? `${(x / y).toFixed(2)}×` : '-');
      ratios.push([c.protocol, String(c.rps), ratio(added(c).p50, added(h).p50), ratio(added(c).p99, added(h).p99), ratio(c.cpuPctPer1k ?? 0, h.cpuPctPer1k ?? 0), ratio(c.rssMb ?? 0, h.rssMb ?? 0)]);
    }
  }
  const fmt = (t: string[][]) => {
    const w = t[0].map((_, i) => Math.max(...t.map((r) => r[i].length)));
    return t.map((r) => r.map((v, i) => v.padEnd(w[i])).join('  ').trimEnd()).join('\n');
  };
  lines.push(fmt(table), '', fmt(ratios));
  return lines.join('\n');
}

export function saveJson(file: string, rows: BenchRow[], meta: Record<string, unknown>): void {
  writeFileSync(file, JSON.stringify({ ...meta, rows }, null, 2));
}
