// A small meshed stack for tests and the proxy benchmark: real namespaces, real iptables, a real control plane and
// real proxies, with the test apps from apps.mjs (HTTP/1 echo, gRPC PaymentService) and plain client pods.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalStack } from '../../../clusters/local/stack.ts';
import type { Workload, WorkloadService, CallEdge } from '../../../workloads/types.ts';
import { createCustomMesh, type CustomMeshConfig } from '../index.ts';

export const APPS = join(dirname(fileURLToPath(import.meta.url)), 'apps.mjs');

export interface TestService {
  name: string;
  kind: 'http' | 'grpc' | 'redis' | 'client';
  port?: number;
  serviceAccount?: string;
}

export function testWorkload(services: TestService[], callGraph: CallEdge[] = []): Workload {
  const svc = (s: TestService): WorkloadService => ({
    name: s.name,
    serviceAccount: s.serviceAccount ?? s.name,
    ports: s.port ? [{ name: s.kind, port: s.port, protocol: s.kind === 'grpc' ? 'grpc' : s.kind === 'redis' ? 'tcp' : 'http', opaque: s.kind === 'redis' }] : [],
    health: s.kind === 'grpc' ? { kind: 'grpc', port: s.port! } : s.kind === 'http' ? { kind: 'http', port: s.port!, path: '/' } : { kind: 'tcp', port: s.port ?? 1 },
    local: () =>
      s.kind === 'redis'
        ? { name: 'app', cmd: 'redis-server', args: ['--port', String(s.port), '--save', '', '--appendonly', 'no', '--protected-mode', 'no'] }
        : { name: 'app', cmd: process.execPath, args: s.kind === 'client' ? ['-e', 'setInterval(() => {}, 1e9)'] : [APPS, 'server', s.kind, String(s.port)] },
  });
  const entry = services.find((s) => s.kind === 'http') ?? services[0];
  return { name: 'mesh-test', description: 'custom mesh test apps', services: services.map(svc), entry: { service: entry.name, port: entry.port ?? 80, healthPath: '/' }, journey: { name: 'none', cookies: false, steps: [] }, callGraph };
}

export interface MeshedStack {
  stack: LocalStack;
  mesh: ReturnType<typeof createCustomMesh>;
  workload: Workload;
  /** Runs `node apps.mjs ...args` in a pod and parses its JSON line. */
  run(pod: string, args: string[], timeoutMs?: number): Promise<any>;
  close(): Promise<void>;
}

/** Builds the stack: control plane, then for each service a pod, its proxy (unless listed in `unmeshed`), its app. */
export async function meshedStack(services: TestService[], opts: CustomMeshConfig & { unmeshed?: string[]; callGraph?: CallEdge[] } = {}): Promise<MeshedStack> {
  const logDir = mkdtempSync(join(tmpdir(), 'mb-custom-'));
  const stack = await LocalStack.create({ logDir });
  const mesh = createCustomMesh({ profile: 'permissive', ...opts });
  const workload = testWorkload(services, opts.callGraph);
  const run = async (pod: string, args: string[], timeoutMs = 60_000) => {
    const r = await stack.exec(pod, process.execPath, [APPS, ...args], { timeoutMs });
    if (r.exitCode !== 0) throw new Error(`apps.mjs ${args.join(' ')} in ${pod} failed (${r.exitCode}): ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  };
  try {
    await mesh.local.install(stack, workload);
    for (const s of workload.services) {
      const pod = await stack.addPod(s.name, { service: s.name, serviceAccount: s.serviceAccount });
      if (!opts.unmeshed?.includes(s.name)) await mesh.local.inject(stack, pod, s);
      stack.spawn(s.name, s.local({ addr: (x) => x, dataDir: logDir }), 'app');
    }
    for (const s of services.filter((x) => x.kind !== 'client')) await waitListening(stack, s.name, s.port!);
  } catch (err) {
    await stack.teardown();
    throw err;
  }
  return { stack, mesh, workload, run, close: () => stack.teardown() };
}

async function waitListening(stack: LocalStack, pod: string, port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await stack.exec(pod, 'ss', ['-Hltn', `sport = :${port}`]);
    if (r.stdout.trim()) return;
    await sleep(50);
  }
  throw new Error(`app in ${pod} not listening on ${port}`);
}
