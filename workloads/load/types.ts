// The load engine seam: a plan in, a histogram-backed result out. The built-in engine and k6 both produce LoadResult.
import type { Journey } from './journey.ts';
import type { LatencySummary, RequestStats } from '../../reports/schema.ts';

export interface LoadPlan {
  /** Where the journey's paths are sent, e.g. http://198.18.0.2:8080 */
  baseUrl: string;
  journey: Journey;
  /** Target rate in requests per second, on a constant open-model schedule. */
  rps: number;
  /** Measured window. */
  durationMs: number;
  /** Run before the measured window on the same connections; its results are discarded. */
  warmupMs: number;
  /** Keep-alive connections in the pool. */
  connections?: number;
  /** Per-request timeout (counted as a timeout error). */
  timeoutMs?: number;
  seed?: number;
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadProgress {
  phase: 'warmup' | 'measure';
  elapsedMs: number;
  totalMs: number;
  sent: number;
  errors: number;
}

export interface LoadResult {
  engine: string;
  targetRps: number;
  achievedRps: number;
  durationS: number;
  total: RequestStats;
  steps: Record<string, RequestStats>;
  /** Epoch ms bounds of the measured window, to select resource samples. */
  measureStartedAt: number;
  measureEndedAt: number;
  /** How the engine itself fared (built-in engine): sends later than one slot interval mean the engine, not the
   * target, limited the rate. Optional: k6 results do not have it. */
  engineStats?: {
    workers: number;
    connections: number;
    virtualUsers: number;
    lateSends: number;
    /** Intended start → request handed to the connection pool (before any wait for a free connection). */
    sendLagMs: LatencySummary;
    maxQueuedSlots: number;
  };
}

export interface LoadEngine {
  name: string;
  run(plan: LoadPlan): Promise<LoadResult>;
}
