// How probes act inside pods on the local platform: run the probe client (tool.ts) in a pod, and get an unmeshed
// client pod on the same bridge (a pod no mesh ever injected: the "outside" of the mesh).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import type { LocalProbeContext } from '../types.ts';
import type { AppObservation, LoopObservation, TlsObservation, ToolOp } from './tool.ts';

const TOOL = fileURLToPath(new URL('./tool.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
export const CLIENT_POD = 'probe-client';

type Observation<T extends ToolOp> = T extends { op: 'tls' } ? TlsObservation : T extends { op: 'loop' } ? LoopObservation : AppObservation;

/** Runs the probe client inside `pod` and returns one observation per op. Throws when the tool itself failed. */
export async function inPod<T extends ToolOp>(
  ctx: LocalProbeContext,
  pod: string,
  ops: T[],
  opts: { uid?: number; timeoutMs?: number } = {},
): Promise<Observation<T>[]> {
  const uid = opts.uid ?? 0;
  const drop = uid === 0 ? [] : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
  const argv = [...drop, process.execPath, '--import', TSX_LOADER, TOOL, JSON.stringify(ops)];
  const r = await ctx.stack.exec(pod, argv[0], argv.slice(1), { timeoutMs: opts.timeoutMs ?? 30_000 });
  if (r.exitCode !== 0) throw new Error(`probe client in pod ${pod} exited ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout) as Observation<T>[];
}

/** The unmeshed client pod: created once per stack, on the same bridge as the workload, with no sidecar and no rules. */
export async function clientPod(ctx: LocalProbeContext): Promise<string> {
  if (ctx.stack.pods.has(CLIENT_POD)) return CLIENT_POD;
  // Concurrent callers share one creation.
  let creating = creatingClient.get(ctx.stack);
  if (!creating) {
    creating = ctx.stack.addPod(CLIENT_POD, { serviceAccount: 'meshbench-probe' }).then(() => CLIENT_POD);
    creatingClient.set(ctx.stack, creating);
  }
  return creating;
}

const creatingClient = new WeakMap<LocalProbeContext['stack'], Promise<string>>();

export function podIp(ctx: LocalProbeContext, pod: string): string {
  return ctx.stack.pod(pod).ip;
}

/**
 * Starts the probe client in `pod` in the background (for load that must run while something else is watched).
 * `stop()` sends SIGTERM; the tool ends its loops early on SIGTERM and still prints its observations.
 */
export function inPodBackground<T extends ToolOp>(ctx: LocalProbeContext, pod: string, ops: T[], opts: { uid?: number } = {}): { stop(): Promise<Observation<T>[]> } {
  const uid = opts.uid ?? 0;
  const drop = uid === 0 ? [] : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
  const child = spawn('ip', ['netns', 'exec', ctx.stack.pod(pod).netns, ...drop, process.execPath, '--import', TSX_LOADER, TOOL, JSON.stringify(ops)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`background probe client in pod ${pod} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
      return JSON.parse(stdout) as Observation<T>[];
    },
  };
}
