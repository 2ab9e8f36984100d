// The custom mesh on the local platform: the control plane in a pod of its own, and per workload pod the iptables
// interception (as Linkerd's init container does it) plus the proxy process under its own uid, started before the app.
import { randomBytes } from 'node:crypto';
import { chownSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalStack, LocalPod, TrackedProcess } from '../../clusters/local/stack.ts';
import type { LocalMesh, MeshPolicy, MeshVerification } from '../types.ts';
import type { Workload, WorkloadService } from '../../workloads/types.ts';
import { ensureBuilt, ADDON_PATH, CONTROL_PLANE_JS, PROXY_JS } from './build.ts';
import { DEFAULT_OPAQUE_PORTS, DEFAULT_PORTS, type ProxyBootstrap } from './shared/config.ts';
import { spiffeId } from './shared/pki.ts';
import { CONTROL_PLANE_NS, CONTROL_PLANE_SA } from './control-plane/server.ts';
import { OperatorClient } from './cli/client.ts';
import { interceptRules } from './k8s/iptables.ts';

export const PROXY_UID = 2102;
export const CONTROL_PLANE_POD = 'meshcp';
/**
 * V8 heap limits for the sidecar: a small young generation (the default grows to 48 MB under load, which is most of
 * a proxy's RSS) and an old-space cap; a proxy's live data is small, so the extra scavenges are cheap.
 */
export const PROXY_NODE_ARGS = ['--max-semi-space-size=4', '--max-old-space-size=96'];

export interface CustomMeshOptions {
  trustDomain: string;
  namespace: string;
  certLifetimeMs: number;
  /** Policy applied at install; `workload` gives least-privilege rules. */
  initialPolicy: (workload: Workload) => { policy: MeshPolicy; mtls: boolean };
  requestTimeoutMs: number;
  drainMs: number;
}

interface StackMesh {
  cpPod: LocalPod;
  cpDir: string;
  cp: TrackedProcess;
  api: OperatorClient;
  proxies: Map<string, { process: TrackedProcess; dir: string; boot: ProxyBootstrap }>;
}

/** iptables (nat) rules that send a pod's TCP through its proxy: the same generator the Kubernetes init container uses. */
export function interceptionRules(uid = PROXY_UID): string[][] {
  return interceptRules({ proxyUid: uid, inboundPort: DEFAULT_PORTS.inbound, outboundPort: DEFAULT_PORTS.outbound, skipInboundPorts: [DEFAULT_PORTS.admin] });
}

export class CustomLocalMesh implements LocalMesh {
  private stacks = new WeakMap<LocalStack, StackMesh>();

  constructor(readonly opts: CustomMeshOptions) {}

  private of(stack: LocalStack): StackMesh {
    const m = this.stacks.get(stack);
    if (!m) throw new Error(`custom mesh is not installed in stack ${stack.slot}. Fix: call install() first.`);
    return m;
  }

  /** The operator API client for a stack (CLI, tests, probes). */
  api(stack: LocalStack): OperatorClient {
    return this.of(stack).api;
  }

  async install(stack: LocalStack, workload: Workload): Promise<{ steps: number; objects: number }> {
    await ensureBuilt();
    const cpPod = await stack.addPod(CONTROL_PLANE_POD, { service: CONTROL_PLANE_POD, serviceAccount: CONTROL_PLANE_SA });
    const cpDir = stack.tempDir('meshcp');
    const cp = this.startControlPlane(stack, cpDir);
    const api = new OperatorClient(`http://${cpPod.ip}:${DEFAULT_PORTS.cpOperatorApi}`, () => readFileSync(join(cpDir, 'operator-token'), 'utf8').trim());
    await api.waitUp(20_000, () => cp.child.exitCode !== null && `control plane exited; log: ${cp.logFile}`);
    const { policy, mtls } = this.opts.initialPolicy(workload);
    await api.setPolicy(policy, mtls);
    this.stacks.set(stack, { cpPod, cpDir, cp, api, proxies: new Map() });
    stack.setInfo({ customMesh: { operatorUrl: api.baseUrl, cpDir } });
    return { steps: 4, objects: 2 };
  }

  private startControlPlane(stack: LocalStack, cpDir: string): TrackedProcess {
    return stack.spawn(
      CONTROL_PLANE_POD,
      {
        name: 'control-plane',
        cmd: process.execPath,
        args: [CONTROL_PLANE_JS, '--dir', cpDir, '--trust-domain', this.opts.trustDomain, '--node-ip', stack.nodeIp, '--cert-lifetime-ms', String(this.opts.certLifetimeMs)],
      },
      'control-plane',
    );
  }

  /** Stops the control plane (SIGKILL when `hard`) and starts it again from its state on disk. */
  async restartControlPlane(stack: LocalStack, opts: { hard?: boolean; downMs?: number } = {}): Promise<void> {
    const m = this.of(stack);
    if (opts.hard) {
      process.kill(m.cp.pid, 'SIGKILL');
      await m.cp.exited;
    } else await stack.stopProcess(m.cp);
    if (opts.downMs) await sleep(opts.downMs);
    m.cp = this.startControlPlane(stack, m.cpDir);
    await m.api.waitUp(20_000, () => m.cp.child.exitCode !== null && `control plane exited; log: ${m.cp.logFile}`);
  }

  async inject(stack: LocalStack, pod: LocalPod, service: WorkloadService): Promise<void> {
    const m = this.of(stack);
    const token = randomBytes(24).toString('hex');
    await m.api.registerPod({
      pod: pod.name,
      ip: pod.ip,
      service: service.name,
      namespace: this.opts.namespace,
      serviceAccount: service.serviceAccount,
      ports: service.ports.map((p) => p.port),
      opaquePorts: service.ports.filter((p) => p.opaque || p.protocol === 'tcp').map((p) => p.port),
      health: service.health.kind === 'http' ? { kind: 'http', port: service.health.port, path: service.health.path } : { kind: service.health.kind, port: service.health.port },
      token,
    });
    // The pod's private dir: bootstrap token (0600, proxy uid only), trust anchor, bootstrap config, ready file.
    const dir = stack.tempDir(`proxy-${pod.name}`);
    chownSync(dir, PROXY_UID, PROXY_UID);
    const own = (file: string, text: string, mode: number) => {
      writeFileSync(file, text, { mode });
      chownSync(file, PROXY_UID, PROXY_UID);
    };
    own(join(dir, 'token'), token, 0o600);
    copyFileSync(join(m.cpDir, 'ca', 'root.pem'), join(dir, 'root.pem'));
    const boot: ProxyBootstrap = {
      pod: pod.name,
      podIp: pod.ip,
      namespace: this.opts.namespace,
      serviceAccount: service.serviceAccount,
      service: service.name,
      controlPlane: `https://${m.cpPod.ip}:${DEFAULT_PORTS.cpProxyApi}`,
      controlPlaneId: spiffeId(this.opts.trustDomain, CONTROL_PLANE_NS, CONTROL_PLANE_SA),
      rootFile: join(dir, 'root.pem'),
      tokenFile: join(dir, 'token'),
      inboundPort: DEFAULT_PORTS.inbound,
      outboundPort: DEFAULT_PORTS.outbound,
      adminPort: DEFAULT_PORTS.admin,
      readyFile: join(dir, 'ready.json'),
      addonPath: ADDON_PATH,
      drainMs: this.opts.drainMs,
      requestTimeoutMs: this.opts.requestTimeoutMs,
    };
    own(join(dir, 'bootstrap.json'), JSON.stringify(boot, null, 2), 0o600);
    await stack.iptables(pod.name, interceptionRules());
    const proc = stack.spawn(pod.name, { name: 'proxy', cmd: process.execPath, args: [...PROXY_NODE_ARGS, ...(process.env.MESHBENCH_PROXY_NODE_ARGS?.split(' ').filter(Boolean) ?? []), PROXY_JS, join(dir, 'bootstrap.json')], uid: PROXY_UID }, 'proxy');
    m.proxies.set(pod.name, { process: proc, dir, boot });
    // Like linkerd-await: the app starts only once its proxy has an identity and a config.
    const deadline = Date.now() + 30_000;
    while (!existsSync(boot.readyFile)) {
      if (proc.child.exitCode !== null) throw new Error(`proxy in pod ${pod.name} exited (${proc.child.exitCode}); log ${proc.logFile}:\n${tail(proc.logFile)}`);
      if (Date.now() > deadline) throw new Error(`proxy in pod ${pod.name} not ready after 30 s; log ${proc.logFile}:\n${tail(proc.logFile)}`);
      await sleep(50);
    }
  }

  async verify(stack: LocalStack, workload: Workload): Promise<MeshVerification> {
    const m = this.of(stack);
    const check = await m.api.check();
    const pods: MeshVerification['pods'] = [];
    const names = new Set(workload.services.map((s) => s.name));
    for (const p of stack.pods.values()) if (names.has(p.service) || m.proxies.has(p.name)) names.add(p.name);
    for (const [name, px] of m.proxies) {
      if (!stack.pods.has(name)) continue;
      const problems: string[] = [];
      if (px.process.child.exitCode !== null) problems.push(`proxy exited (${px.process.child.exitCode})`);
      const nat = await stack.exec(name, 'iptables', ['-w', '-t', 'nat', '-S']);
      if (!nat.stdout.includes(`--to-ports ${DEFAULT_PORTS.outbound}`) || !nat.stdout.includes(`--to-ports ${DEFAULT_PORTS.inbound}`)) problems.push('interception rules missing');
      const ready = await podGet(stack, name, `http://127.0.0.1:${DEFAULT_PORTS.admin}/ready`);
      if (ready.status !== 200) problems.push(`admin /ready: ${ready.error ?? `HTTP ${ready.status}`}`);
      const cp = check.pods.find((c) => c.pod === name);
      if (!cp) problems.push('not registered with the control plane');
      else if (!cp.certNotAfter || cp.certNotAfter < Date.now()) problems.push('no valid certificate');
      pods.push({ pod: name, meshed: problems.length === 0, detail: problems.length ? problems.join('; ') : `identity ${cp!.identity}, cert until ${new Date(cp!.certNotAfter!).toISOString()}, mTLS ${check.mtls ? 'on' : 'off'}` });
    }
    for (const svc of workload.services) {
      if (!m.proxies.has(svc.name) && stack.pods.has(svc.name)) pods.push({ pod: svc.name, meshed: false, detail: 'no proxy injected' });
    }
    return { ok: pods.length > 0 && pods.every((p) => p.meshed), pods };
  }

  async applyPolicy(stack: LocalStack, policy: MeshPolicy): Promise<void> {
    const m = this.of(stack);
    const { version } = await m.api.setPolicy(policy);
    await this.waitForConfig(stack, version);
  }

  async setMtls(stack: LocalStack, mtls: boolean): Promise<void> {
    const m = this.of(stack);
    const cur = await m.api.getPolicy();
    const { version } = await m.api.setPolicy(cur.policy, mtls);
    await this.waitForConfig(stack, version);
  }

  /** Waits until every proxy reports a config at least `version` (they push reports right after a new snapshot). */
  private async waitForConfig(stack: LocalStack, version: number): Promise<void> {
    const m = this.of(stack);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const check = await m.api.check();
      const behind = check.pods.filter((p) => m.proxies.has(p.pod) && (p.configVersion ?? 0) < version);
      if (behind.length === 0) return;
      if (Date.now() > deadline) throw new Error(`proxies did not pick up config v${version}: ${behind.map((p) => p.pod).join(', ')}`);
      await sleep(100);
    }
  }

  adminEndpoints(stack: LocalStack): { pod: string; url: string }[] {
    return [...this.of(stack).proxies.keys()].map((pod) => ({ pod, url: `http://127.0.0.1:${DEFAULT_PORTS.admin}` }));
  }

  proxyOf(stack: LocalStack, pod: string): TrackedProcess {
    const px = this.of(stack).proxies.get(pod);
    if (!px) throw new Error(`pod ${pod} has no proxy`);
    return px.process;
  }
}

/** An HTTP GET made from inside a pod (the admin port answers only there): status and body, or the error code. */
export async function podGet(stack: LocalStack, pod: string, url: string, timeoutMs = 3000): Promise<{ status?: number; body: string; error?: string }> {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(${timeoutMs}) }).then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.text() })), (e) => console.log(JSON.stringify({ body: '', error: e.cause?.code ?? e.name })))`;
  const r = await stack.exec(pod, process.execPath, ['-e', script], { timeoutMs: timeoutMs + 10_000 });
  try {
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  } catch {
    return { body: '', error: `node exited ${r.exitCode}: ${r.stderr.slice(0, 200)}` };
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export { DEFAULT_OPAQUE_PORTS };
