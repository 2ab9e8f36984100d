// A local stack: one Linux bridge, one network namespace per pod joined to it by a veth pair, processes started
// inside pods. Every object is written to the stack's state file before it is created, so teardown can always
// find it, whether it runs in this process, in a signal handler, or in a later run after a SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessSpec } from '../../workloads/types.ts';
import type { ProcessResources } from '../../reports/schema.ts';
import { sh, requireRoot, PlatformError } from './sys.ts';
import { claimSlot, saveState, removeState, listStates, isAlive, slotPrefix, subnetOf, type StackState, type PodState } from './state.ts';

export type ProcessRole = ProcessResources['role'];

export type LocalPod = PodState;

export interface TrackedProcess {
  pod: string;
  name: string;
  role: ProcessRole;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export class LocalStack {
  readonly pods = new Map<string, LocalPod>();
  readonly processes: TrackedProcess[] = [];
  private hostEntries = new Map<string, string>();

  private constructor(
    readonly state: StackState,
    readonly logDir: string,
  ) {}

  /** Claims a slot and creates the bridge. `logDir` receives every process's stdout/stderr. */
  static async create(opts: { logDir: string; detached?: boolean }): Promise<LocalStack> {
    requireRoot();
    const state = claimSlot(opts.detached ?? false);
    const stack = new LocalStack(state, opts.logDir);
    mkdirSync(opts.logDir, { recursive: true });
    const { gateway, prefix } = subnetOf(state.slot);
    try {
      await sh`ip link add ${state.bridge} type bridge`;
      await sh`ip addr add ${gateway}/${prefix} dev ${state.bridge}`;
      await sh`ip link set ${state.bridge} up`;
    } catch (err) {
      await stack.teardown();
      throw new PlatformError(`Could not create bridge ${state.bridge}: ${(err as Error).message}`);
    }
    return stack;
  }

  /**
   * Re-opens a running stack from its state on disk (a stack left by `npm run up`), for commands such as
   * `npm run probe` and `npm run mesh`. Processes started by the other command are not tracked here.
   */
  static attach(state: StackState, logDir: string): LocalStack {
    requireRoot();
    const stack = new LocalStack(state, logDir);
    for (const pod of state.pods) {
      stack.pods.set(pod.name, pod);
      stack.hostEntries.set(pod.service, pod.ip);
      if (pod.service !== pod.name) stack.hostEntries.set(pod.name, pod.ip);
    }
    return stack;
  }

  get slot(): number {
    return this.state.slot;
  }

  /** The address the root namespace has on the bridge: the "node" (kubelet / ingress) address of this stack. */
  get nodeIp(): string {
    return subnetOf(this.state.slot).gateway;
  }

  /** Creates a pod: a namespace with loopback, an eth0 on the bridge, an address, a default route and a hosts file. */
  async addPod(name: string, opts: { service?: string; serviceAccount?: string } = {}): Promise<LocalPod> {
    if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(name)) throw new PlatformError(`Pod name "${name}" must be lowercase letters, digits and dashes.`);
    if (this.pods.has(name)) throw new PlatformError(`Pod "${name}" already exists in stack ${this.slot}.`);
    const index = this.state.pods.length;
    if (index > 250) throw new PlatformError('A local stack holds at most 250 pods.');
    const prefix = slotPrefix(this.slot);
    const { base, gateway } = subnetOf(this.slot);
    const pod: LocalPod = {
      name,
      netns: `${prefix}-${name}`,
      hostVeth: `${prefix}h${index}`,
      ip: `${base}.${index + 2}`,
      service: opts.service ?? name,
      serviceAccount: opts.serviceAccount ?? name,
    };
    this.state.pods.push(pod);
    saveState(this.state);
    const peer = `${prefix}p${index}`;
    await sh`ip netns add ${pod.netns}`;
    await sh`ip link add ${pod.hostVeth} type veth peer name ${peer} netns ${pod.netns}`;
    await sh`ip link set ${pod.hostVeth} master ${this.state.bridge} up`;
    // One `ip -batch` for everything inside the namespace: process spawns dominate pod start-up on a busy host.
    const inside = [`link set lo up`, `link set ${peer} name eth0`, `addr add ${pod.ip}/24 dev eth0`, `link set eth0 up`, `route add default via ${gateway}`];
    await sh({ input: `${inside.join('\n')}\n` })`ip -n ${pod.netns} -batch -`;
    this.pods.set(name, pod);
    this.hostEntries.set(pod.service, pod.ip);
    if (pod.service !== name) this.hostEntries.set(name, pod.ip);
    this.writeHosts();
    return pod;
  }

  pod(name: string): LocalPod {
    const pod = this.pods.get(name);
    if (!pod) throw new PlatformError(`No pod "${name}" in stack ${this.slot}; pods: ${[...this.pods.keys()].join(', ')}`);
    return pod;
  }

  /** Service names resolve in every pod through /etc/netns/<ns>/hosts (ip netns exec bind-mounts it over /etc/hosts). */
  writeHosts(): void {
    const lines = ['127.0.0.1 localhost', '::1 localhost', ...[...this.hostEntries].map(([host, ip]) => `${ip} ${host}`)];
    for (const pod of this.pods.values()) {
      const dir = `/etc/netns/${pod.netns}`;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'hosts'), `${lines.join('\n')}\n# pod ${pod.name}\n`);
    }
  }

  /** Starts a process inside a pod; stdout and stderr go to `<logDir>/<pod>.<name>.log`. */
  spawn(podName: string, spec: ProcessSpec, role: ProcessRole): TrackedProcess {
    const pod = this.pod(podName);
    const logFile = join(this.logDir, `${pod.name}.${spec.name}.log`);
    // The child writes its log file itself: nothing passes through this process, so a detached stack's processes
    // keep logging after `npm run up` exits.
    const logFd = openSync(logFile, 'a');
    const drop = spec.uid === undefined ? [] : ['setpriv', `--reuid=${spec.uid}`, `--regid=${spec.uid}`, '--clear-groups'];
    const child = spawn('ip', ['netns', 'exec', pod.netns, ...drop, spec.cmd, ...spec.args], {
      env: { ...process.env, ...spec.env },
      cwd: spec.cwd,
      stdio: ['ignore', logFd, logFd],
      // Own process group: a Ctrl-C at the terminal reaches the harness, which then stops pods in order.
      detached: true,
    });
    closeSync(logFd);
    if (this.state.detached) child.unref();
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
      child.once('error', () => resolve('spawn-error'));
    });
    const tracked: TrackedProcess = { pod: pod.name, name: spec.name, role, pid: child.pid ?? 0, child, logFile, exited };
    this.processes.push(tracked);
    if (child.pid) {
      this.state.pids.push(child.pid);
      saveState(this.state);
    }
    return tracked;
  }

  /** Runs a command to completion inside a pod. Never throws on a non-zero exit: callers decide. */
  async exec(podName: string, cmd: string, args: string[] = [], opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
    const pod = this.pod(podName);
    const out = await sh({ nothrow: true, timeout: opts.timeoutMs ?? 30_000 })`ip netns exec ${pod.netns} ${cmd} ${args}`;
    return { stdout: out.stdout, stderr: out.stderr, exitCode: out.exitCode ?? -1 };
  }

  /** Adds iptables rules in a pod's namespace (they vanish with the namespace). Each rule is an iptables argv. */
  async iptables(podName: string, rules: string[][]): Promise<void> {
    const pod = this.pod(podName);
    for (const rule of rules) {
      const r = await sh({ nothrow: true })`ip netns exec ${pod.netns} iptables -w ${rule}`;
      if (r.exitCode !== 0) throw new PlatformError(`iptables ${rule.join(' ')} in pod ${podName} failed: ${r.stderr.trim()}`);
    }
  }

  /** A temp dir that teardown removes. */
  tempDir(name: string): string {
    const dir = join('/tmp', `meshbench-${this.slot}-${name}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.state.tempDirs.push(dir);
    saveState(this.state);
    return dir;
  }

  /** Records facts about the stack for other commands (`npm run probe`, `npm run down`). */
  setInfo(info: Record<string, unknown>): void {
    Object.assign(this.state.info, info);
    saveState(this.state);
  }

  async stopProcess(p: TrackedProcess, graceMs = 3000): Promise<void> {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return;
    try {
      process.kill(p.pid, 'SIGTERM');
    } catch {
      return;
    }
    const done = await Promise.race([p.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {}
      await p.exited;
    }
  }

  /** Stops every process, then removes namespaces, veths, the bridge, hosts files, temp dirs and the state file. */
  async teardown(): Promise<void> {
    await Promise.all(this.processes.map((p) => this.stopProcess(p)));
    await teardownState(this.state);
  }
}

/** Removes everything a stack's state file names. Safe to run twice and on a half-built stack. */
export async function teardownState(state: StackState): Promise<void> {
  const nsNames = state.pods.map((p) => p.netns);
  // Every process in the stack's namespaces, including ones this process never knew of.
  const pids = new Set(state.pids);
  for (const ns of nsNames) {
    const r = await sh({ nothrow: true })`ip netns pids ${ns}`;
    for (const line of r.stdout.split('\n')) if (/^\d+$/.test(line.trim())) pids.add(Number(line.trim()));
  }
  const signalAll = (sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {}
    }
  };
  signalAll('SIGTERM');
  for (let i = 0; i < 30 && [...pids].some(isAlive); i++) await sleep(100);
  signalAll('SIGKILL');
  for (let i = 0; i < 20 && [...pids].some(isAlive); i++) await sleep(50);
  for (const pod of state.pods) {
    await sh({ nothrow: true })`ip netns del ${pod.netns}`;
    await sh({ nothrow: true })`ip link del ${pod.hostVeth}`;
    rmSync(`/etc/netns/${pod.netns}`, { recursive: true, force: true });
  }
  await sh({ nothrow: true })`ip link del ${state.bridge}`;
  for (const dir of state.tempDirs) rmSync(dir, { recursive: true, force: true });
  removeState(state.slot);
}

/**
 * Removes what earlier runs left: stacks whose owner process is gone (a SIGKILLed bench), and namespaces named like
 * ours that no live stack claims. Detached stacks (`npm run up`) are kept unless `includeDetached`.
 * Returns the slots it removed.
 */
export async function sweepStale(opts: { includeDetached?: boolean } = {}): Promise<number[]> {
  const removed: number[] = [];
  const isKept = (state: StackState) =>
    state.owner === process.pid || (state.detached ? !opts.includeDetached : isAlive(state.owner));
  for (const state of listStates()) {
    if (isKept(state)) continue;
    await teardownState(state);
    removed.push(state.slot);
  }
  // Orphans: namespaces and bridges named like ours that no kept stack claims (e.g. a state dir wiped by hand).
  // List the kernel objects first and the states second: a stack writes its state before creating anything, so
  // an object created concurrently is always claimed by the fresher state listing.
  const ns = await sh({ nothrow: true })`ip netns list`;
  const links = await sh({ nothrow: true })`ip -o link show type bridge`;
  const live = new Set<string>();
  for (const state of listStates()) {
    if (!isKept(state)) continue;
    state.pods.forEach((p) => live.add(p.netns));
    live.add(state.bridge);
  }
  for (const line of ns.stdout.split('\n')) {
    const name = line.split(' ')[0];
    if (!name || !/^mb\d+-/.test(name) || live.has(name)) continue;
    const pids = await sh({ nothrow: true })`ip netns pids ${name}`;
    for (const p of pids.stdout.split('\n')) {
      if (/^\d+$/.test(p.trim())) {
        try {
          process.kill(Number(p), 'SIGKILL');
        } catch {}
      }
    }
    await sh({ nothrow: true })`ip netns del ${name}`;
    rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
  }
  for (const line of links.stdout.split('\n')) {
    const m = /^\d+: (mb\d+br)[:@]/.exec(line);
    if (m && !live.has(m[1])) await sh({ nothrow: true })`ip link del ${m[1]}`;
  }
  return removed;
}
