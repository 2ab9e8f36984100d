// Runs a pinned tool against one cluster: KUBECONFIG and the context flag each tool spells its own way.
import { spawn } from 'node:child_process';
import type { KubeTool } from '../../mesh-impls/types.ts';

export interface Target {
  kubeconfig?: string;
  context?: string;
}

export interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function contextArgs(tool: KubeTool, t: Target): string[] {
  if (!t.context || tool === 'kind') return [];
  return tool === 'helm' ? ['--kube-context', t.context] : ['--context', t.context];
}

export function runCmd(path: string, args: readonly string[], opts: { env?: Record<string, string>; stdin?: string; timeoutMs?: number; cwd?: string } = {}): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs) : undefined;
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`Cannot run ${path}: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    // A tool may exit without reading its input (an error, or a command that takes none): not our failure to report.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
  });
}
