// The local platform driver: deploys a workload with a mesh onto a fresh LocalStack and hands back a Deployment.
// Order matters and mirrors Kubernetes: control plane first, then pods, then each pod's sidecar and iptables
// (an init container's job), then the app, then readiness, then the mesh's own verification.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Deployment, DeployOptions, PlatformDriver } from '../types.ts';
import type { Mesh } from '../../mesh-impls/types.ts';
import type { Workload } from '../../workloads/types.ts';
import { LocalStack, sweepStale } from './stack.ts';
import { ResourceSampler } from './resources.ts';
import { waitHealthy } from './health.ts';
import { ensureSystemPackages, requireRoot, sh } from './sys.ts';

const READY_TIMEOUT_MS = 60_000;

export interface LocalDeployment extends Deployment {
  stack: LocalStack;
}

async function deploy(workload: Workload, mesh: Mesh, opts: DeployOptions): Promise<LocalDeployment> {
  if (!mesh.local) {
    throw new Error(`Mesh "${mesh.name}" does not run on the local platform. Fix: use --platform kind or --platform kubernetes for it.`);
  }
  const started = Date.now();
  const logDir = join(opts.runDir, 'logs', `${workload.name}-${mesh.name}-rep${opts.rep}`);
  const stack = await LocalStack.create({ logDir, detached: opts.detached });
  try {
    opts.log(`stack ${stack.slot}: installing ${mesh.name}`);
    const installed = await mesh.local.install(stack, workload);
    for (const svc of workload.services) await stack.addPod(svc.name, { serviceAccount: svc.serviceAccount });
    const addr = (service: string) => {
      const svc = workload.services.find((s) => s.name === service);
      if (!svc) throw new Error(`Workload ${workload.name}: unknown peer service "${service}"`);
      return `${service}:${svc.ports[0].port}`;
    };
    for (const svc of workload.services) await mesh.local.inject(stack, stack.pod(svc.name), svc);
    opts.log(`stack ${stack.slot}: starting ${workload.services.length} pods of ${workload.name}`);
    const apps = workload.services.map((svc) => ({ svc, proc: stack.spawn(svc.name, svc.local({ addr, dataDir: stack.tempDir(svc.name) }), 'app') }));
    await Promise.all(
      apps.map(({ svc, proc }) =>
        waitHealthy(`pod ${svc.name}`, stack.pod(svc.name).ip, svc.health, READY_TIMEOUT_MS, () =>
          proc.child.exitCode !== null || proc.child.signalCode !== null ? `exit ${proc.child.exitCode ?? proc.child.signalCode}; log ${proc.logFile}` : null,
        ),
      ),
    );
    const verification = await mesh.local.verify(stack, workload);
    if (!verification.ok) {
      const bad = verification.pods.filter((p) => mesh.meshesPods && !p.meshed).map((p) => `${p.pod}: ${p.detail}`);
      throw new Error(`Mesh ${mesh.name} verification failed: not every pod is meshed:\n  ${bad.join('\n  ')}`);
    }
    const entryIp = stack.pod(workload.entry.service).ip;
    const deployment: LocalDeployment = {
      stack,
      platform: 'local',
      mesh: mesh.name,
      workload: workload.name,
      pods: [...stack.pods.values()].map((p) => ({
        name: p.name,
        service: p.service,
        ip: p.ip,
        ports: workload.services.find((s) => s.name === p.service)?.ports.map((x) => x.port) ?? [],
      })),
      entryUrl: `http://${entryIp}:${workload.entry.port}`,
      install: { timeToReadyMs: Date.now() - started, steps: installed.steps, objects: installed.objects, crds: 0 },
      verification,
      async load(plan) {
        const { builtinEngine } = await import('../../workloads/load/engine.ts');
        return builtinEngine.run({ ...plan, baseUrl: this.entryUrl });
      },
      startResources() {
        // The load generator (this process and its workers) is sampled too: a saturated generator invalidates a window.
        const sampled = stack.processes.map((p) => ({ pod: p.pod, process: p.name, role: p.role, pid: p.pid }));
        sampled.push({ pod: 'host', process: 'load-generator', role: 'load', pid: process.pid });
        const sampler = new ResourceSampler(sampled).start();
        return { stop: async (from, to) => sampler.stop(from, to) };
      },
      applyPolicy: (policy) => mesh.local!.applyPolicy(stack, policy),
      logExcerpt: async (lines = 20) => logExcerpt(stack, lines),
      teardown: () => stack.teardown(),
    };
    stack.setInfo({ mesh: mesh.name, workload: workload.name, entry: deployment.entryUrl, pods: deployment.pods, logDir });
    return deployment;
  } catch (err) {
    const excerpt = logExcerpt(stack, 15);
    await stack.teardown();
    throw Object.assign(err as Error, { logExcerpt: excerpt });
  }
}

/** The last lines of every process log in the stack, each prefixed with its pod and process. */
function logExcerpt(stack: LocalStack, lines: number): string {
  return stack.processes
    .map((p) => {
      let text = '';
      try {
        text = readFileSync(p.logFile, 'utf8');
      } catch {}
      const tail = text.trimEnd().split('\n').slice(-lines).filter(Boolean);
      return tail.length ? `--- ${p.pod}/${p.name}\n${tail.join('\n')}` : '';
    })
    .filter(Boolean)
    .join('\n');
}

async function version(cmd: string, args: string[], pick: RegExp): Promise<string> {
  const r = await sh({ nothrow: true })`${cmd} ${args}`;
  return pick.exec(`${r.stdout}\n${r.stderr}`)?.[1] ?? 'unknown';
}

export const localDriver: PlatformDriver = {
  name: 'local',
  async preflight() {
    requireRoot();
    await ensureSystemPackages();
  },
  async sweep() {
    await sweepStale();
  },
  deploy,
  async toolVersions() {
    return {
      'redis-server': await version('redis-server', ['--version'], /v=(\S+)/),
      iptables: await version('iptables', ['--version'], /(v\S+.*)/),
      tcpdump: await version('tcpdump', ['--version'], /tcpdump version (\S+)/),
      iproute2: await version('ip', ['-V'], /iproute2-([\w.]+)/),
      openssl: await version('openssl', ['version'], /OpenSSL (\S+)/),
    };
  },
};
