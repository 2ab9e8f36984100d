// The k6 engine: renders the journey to a k6 script and runs it with, in order of preference,
//   1. a local `k6` binary on PATH, or
//   2. Docker with the pinned image (K6_IMAGE from versions.ts), started from Node through testcontainers.
// (On Kubernetes the in-cluster Job is rendered by clusters/kubernetes from renderK6Script + K6_IMAGE + k6RunArgs.)
// Output: NDJSON points (--out json) parsed into a LoadResult with a rebuilt histogram; the summary is the fallback.
// Not exercised here: these machines have neither k6 nor a Docker daemon. The parser is tested on documented samples.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { LoadEngine, LoadPlan, LoadResult } from '../types.ts';
import { validatePlan, DEFAULT_TIMEOUT_MS } from '../engine.ts';
import { k6ProtoFiles, renderK6Script } from './render.ts';
import { parseK6Ndjson, parseK6Summary } from './parse.ts';
import { K6_IMAGE } from './versions.ts';

/** Arguments after `k6` for a run whose files live in `dir` (the same layout in a container or a Job). */
export function k6RunArgs(dir: string, baseUrl: string): string[] {
  return ['run', '--quiet', '--out', `json=${dir}/points.json`, '--summary-export', `${dir}/summary.json`, '-e', `BASE_URL=${baseUrl}`, `${dir}/script.js`];
}

export function localK6(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v k6'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

async function runLocal(binary: string, dir: string, baseUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, k6RunArgs(dir, baseUrl), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    // k6 exits 99 when thresholds fail; ours always pass (they only create submetrics), so any non-zero is a failure.
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`k6 exited with ${code}:\n${out.slice(-2000)}`))));
  });
}

async function runDocker(dir: string, baseUrl: string, timeoutMs: number): Promise<string> {
  let tc: typeof import('testcontainers');
  try {
    tc = await import('testcontainers');
  } catch (err) {
    throw new Error(`k6 is not on PATH and testcontainers cannot load (${(err as Error).message}); install k6 or run npm install`);
  }
  try {
    // Host networking so a target on 127.0.0.1 or a local-platform address is reachable as-is.
    const container = await new tc.GenericContainer(K6_IMAGE)
      .withBindMounts([{ source: dir, target: '/work', mode: 'rw' }])
      .withNetworkMode('host')
      .withUser(`${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`)
      .withCommand(k6RunArgs('/work', baseUrl))
      .withWaitStrategy(tc.Wait.forOneShotStartup())
      .withStartupTimeout(timeoutMs)
      .start();
    const logs = await container.logs();
    let out = '';
    for await (const chunk of logs) out += chunk;
    await container.stop().catch(() => {});
    return out;
  } catch (err) {
    throw new Error(
      `k6 is not on PATH and running ${K6_IMAGE} in Docker failed: ${(err as Error).message}\n` +
        `Fix: install k6 (see workloads/load/k6/versions.ts for the pinned version) or start a Docker daemon.`,
    );
  }
}

export interface K6EngineOptions {
  /** Force a runner; default: local binary when on PATH, else Docker. */
  runner?: 'local' | 'docker';
  /** Keep the run folder (script, points, summary) here instead of a temporary one. */
  keepDir?: string;
}

export function createK6Engine(opts: K6EngineOptions = {}): LoadEngine {
  return {
    name: 'k6',
    async run(plan: LoadPlan): Promise<LoadResult> {
      validatePlan(plan);
      const dir = opts.keepDir ?? mkdtempSync(join(tmpdir(), 'meshbench-k6-'));
      const timeoutMs = plan.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      writeFileSync(
        join(dir, 'script.js'),
        renderK6Script({ journey: plan.journey, baseUrl: plan.baseUrl, rps: plan.rps, warmupMs: plan.warmupMs, durationMs: plan.durationMs, timeoutMs, seed: plan.seed }),
      );
      for (const proto of k6ProtoFiles(plan.journey)) copyFileSync(proto, join(dir, basename(proto)));
      const startedAt = Date.now();
      try {
        const binary = opts.runner === 'docker' ? undefined : localK6();
        if (opts.runner === 'local' && !binary) throw new Error('k6 is not on PATH; install it or use the Docker runner');
        const budget = plan.warmupMs + plan.durationMs + timeoutMs + 120_000;
        const logs = binary ? await runLocal(binary, dir, plan.baseUrl) : await runDocker(dir, plan.baseUrl, budget);
        const ctx = { journey: plan.journey, targetRps: plan.rps, warmupMs: plan.warmupMs, durationMs: plan.durationMs, startedAt };
        const points = join(dir, 'points.json');
        if (existsSync(points)) return parseK6Ndjson(readFileSync(points), ctx);
        const summary = join(dir, 'summary.json');
        return parseK6Summary(existsSync(summary) ? readFileSync(summary, 'utf8') : logs, ctx);
      } finally {
        if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export const k6Engine: LoadEngine = createK6Engine();
