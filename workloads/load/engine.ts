// The built-in load engine: an open-model, constant-rate load generator (HTTP/1.1 keep-alive via undici, unary gRPC
// via @grpc/grpc-js) running in worker threads.
//
// Method (facts.md §4; wrk2 -R / fortio -uniform style):
// - The target rate is a fixed schedule of slots; a slot is sent at its time whether or not earlier ones returned.
//   Each worker has a clock thread (clock.ts) that wakes it when slots are due, to within tens of µs.
// - Latency runs from the slot's intended start to the last byte of the response, so a stalled server cannot hide
//   the requests it delayed (coordinated-omission correction). Responses of any status are recorded; requests that
//   got no response (connect, timeout, other) are counted as errors only.
// - Warm-up runs first on the same keep-alive connections and is discarded: a request belongs to the measured window
//   when its intended start lies in it. After the schedule ends the engine waits for every measured request.
// - achievedRps = requests of the measured window that finished (answered or failed) before the window closed ÷
//   window length. It falls short of the target when the server (or the engine) cannot keep up, and a backlog from
//   the warm-up cannot push it above the target.
// - The schedule is split across W worker threads by interleaving (worker k takes slots k, k+W, …); each worker has
//   its own undici Pool and virtual users, and returns encoded HDR histograms that are merged here.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { LoadEngine, LoadPlan, LoadResult } from './types.ts';
import { mergeEncoded, summarize } from './histogram.ts';
import { mergeRequestStats } from './stats.ts';
import { validateJourney } from './virtual-user.ts';
import type { ShardProgress, ShardResult, ShardSpec } from './shard.ts';

export interface BuiltinEngineOptions {
  /** Worker threads (default: one per 5,000 req/s, at most cores − 1, at least 1). */
  workers?: number;
  /** Sessions that exist from the start (default 10, Locust's default user count). */
  minVus?: number;
  /** Upper bound on sessions; beyond it slots wait for a free session (default 10,000). */
  maxVus?: number;
}

export const DEFAULT_CONNECTIONS = 16;
export const DEFAULT_TIMEOUT_MS = 10_000;

export function validatePlan(plan: LoadPlan): void {
  const bad = (field: string, value: unknown, accepted: string) => {
    throw new Error(`load plan: ${field} = ${JSON.stringify(value)} is invalid; expected ${accepted}`);
  };
  try {
    const u = new URL(plan.baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') bad('baseUrl', plan.baseUrl, 'an http:// or https:// URL');
  } catch {
    bad('baseUrl', plan.baseUrl, 'an absolute URL such as http://127.0.0.1:8080');
  }
  if (!(plan.rps > 0) || !Number.isFinite(plan.rps)) bad('rps', plan.rps, 'a number > 0');
  if (!(plan.durationMs > 0)) bad('durationMs', plan.durationMs, 'a number of milliseconds > 0');
  if (!(plan.warmupMs >= 0)) bad('warmupMs', plan.warmupMs, 'a number of milliseconds >= 0');
  if (plan.connections !== undefined && !(Number.isInteger(plan.connections) && plan.connections >= 1)) bad('connections', plan.connections, 'an integer >= 1');
  if (plan.timeoutMs !== undefined && !(plan.timeoutMs > 0)) bad('timeoutMs', plan.timeoutMs, 'a number of milliseconds > 0');
  validateJourney(plan.journey);
}

// Workers do not inherit tsx's loader for a .ts entry (checked on Node 20 under both `tsx` and `node --import tsx`),
// so each worker registers tsx itself before importing worker.ts.
const WORKER_URL = new URL('./worker.ts', import.meta.url).href;
// tsx is resolved here, not in the worker: an eval worker resolves bare names from the current directory.
const TSX_API_URL = import.meta.resolve('tsx/esm/api');
const BOOTSTRAP = `import(${JSON.stringify(TSX_API_URL)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL)}); })`;

function startWorker(spec: Omit<ShardSpec, 'startEpochMs'>, onProgress: (p: ShardProgress) => void) {
  const worker = new Worker(BOOTSTRAP, { eval: true, execArgv: [], workerData: spec });
  let onReady!: () => void;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    worker.once('error', reject);
  });
  const result = new Promise<ShardResult>((resolve, reject) => {
    worker.on('message', (msg: { type: string; progress?: ShardProgress; result?: ShardResult; message?: string }) => {
      if (msg.type === 'ready') onReady();
      else if (msg.type === 'progress') onProgress(msg.progress!);
      else if (msg.type === 'result') resolve(msg.result!);
      else if (msg.type === 'error') reject(new Error(`load worker failed: ${msg.message}`));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`load worker exited with code ${code} before reporting a result`)));
  });
  result.catch(() => {}); // observed by the caller after start
  return { worker, ready, result };
}

export function createBuiltinEngine(options: BuiltinEngineOptions = {}): LoadEngine {
  return {
    name: 'builtin',
    async run(plan: LoadPlan): Promise<LoadResult> {
      validatePlan(plan);
      const workers = options.workers ?? Math.max(1, Math.min(availableParallelism() - 1, Math.ceil(plan.rps / 5000)));
      const connections = plan.connections ?? DEFAULT_CONNECTIONS;
      const minVus = options.minVus ?? 10;
      const maxVus = options.maxVus ?? 10_000;
      const progress: ShardProgress[] = [];
      const shards = Array.from({ length: workers }, (_, k) =>
        startWorker(
          {
            baseUrl: plan.baseUrl,
            journey: plan.journey,
            rps: plan.rps / workers,
            phaseMs: (k * 1000) / plan.rps,
            warmupMs: plan.warmupMs,
            durationMs: plan.durationMs,
            connections: Math.max(1, Math.ceil(connections / workers)),
            timeoutMs: plan.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            seed: (plan.seed ?? 1) + k,
            minVus: Math.max(1, Math.ceil(minVus / workers)),
            maxVus: Math.max(1, Math.ceil(maxVus / workers)),
          },
          (p) => {
            progress[k] = p;
            if (k === 0 && plan.onProgress) {
              const totalMs = plan.warmupMs + plan.durationMs;
              plan.onProgress({
                phase: p.phase,
                elapsedMs: Math.min(p.elapsedMs, totalMs),
                totalMs,
                sent: progress.reduce((s, x) => s + (x?.sent ?? 0), 0),
                errors: progress.reduce((s, x) => s + (x?.errors ?? 0), 0),
              });
            }
          },
        ),
      );
      try {
        await Promise.all(shards.map((s) => s.ready));
        const startEpochMs = Date.now() + 200; // time for each shard's clock thread to start
        for (const s of shards) s.worker.postMessage({ startEpochMs });
        const results = await Promise.all(shards.map((s) => s.result));
        const stepNames = [...new Set(results.flatMap((r) => Object.keys(r.steps)))].sort();
        const measureStartedAt = startEpochMs + plan.warmupMs;
        return {
          engine: 'builtin',
          targetRps: plan.rps,
          achievedRps: results.reduce((s, r) => s + r.completedInWindow, 0) / (plan.durationMs / 1000),
          durationS: plan.durationMs / 1000,
          total: mergeRequestStats(results.map((r) => r.total)),
          steps: Object.fromEntries(stepNames.map((n) => [n, mergeRequestStats(results.flatMap((r) => (r.steps[n] ? [r.steps[n]] : [])))])),
          measureStartedAt,
          measureEndedAt: measureStartedAt + plan.durationMs,
          engineStats: {
            workers,
            connections,
            virtualUsers: results.reduce((s, r) => s + r.vus, 0),
            lateSends: results.reduce((s, r) => s + r.lateSends, 0),
            sendLagMs: summarize(mergeEncoded(results.map((r) => r.sendLag))),
            maxQueuedSlots: Math.max(...results.map((r) => r.maxQueued)),
          },
        };
      } finally {
        await Promise.all(shards.map((s) => s.worker.terminate()));
      }
    },
  };
}

/** The embedded default engine. */
export const builtinEngine: LoadEngine = createBuiltinEngine();
