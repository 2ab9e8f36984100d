// One shard of an open-model run, executed inside one worker thread: a constant-rate schedule of slots, each slot
// one request (HTTP/1.1, or unary gRPC for a journey request with `grpc`), latency measured from the slot's
// intended start (coordinated-omission correction).
//
// Slot → virtual user assignment (keeps the schedule open): at its intended time a slot goes to the idle VU that has
// waited longest (FIFO, so sessions take turns). If every VU is busy a new VU is created, up to `maxVus`; beyond
// that the slot waits in a queue for the next VU to finish, and its latency still counts from its intended start.
// `minVus` sessions exist from the start (Locust's default of 10 users), so cookies/carts spread over sessions.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { Histogram } from 'hdr-histogram-js';
import type { ErrorCounts } from '../../reports/schema.ts';
import type { Journey } from './journey.ts';
import { createLatencyHistogram, encodeHistogram, recordMs } from './histogram.ts';
import { classifyError, classifyStatus, emptyErrors, type ErrorClass } from './errors.ts';
import { seededRandom } from './rng.ts';
import { VirtualUser, type PreparedRequest } from './virtual-user.ts';
import { followClock, startClock } from './clock.ts';
import { GrpcCaller } from './grpc.ts';

export interface ShardSpec {
  baseUrl: string;
  journey: Journey;
  /** This shard's rate; slot i is due at startEpochMs + phaseMs + i * 1000 / rps. */
  rps: number;
  phaseMs: number;
  startEpochMs: number;
  warmupMs: number;
  durationMs: number;
  connections: number;
  timeoutMs: number;
  seed: number;
  minVus: number;
  maxVus: number;
}

export interface EncodedStats {
  requests: number;
  errors: ErrorCounts;
  histogram: string;
}

export interface ShardResult {
  total: EncodedStats;
  steps: Record<string, EncodedStats>;
  /** Requests of the measured window answered (or failed) before it closed: the achieved-rate numerator. */
  completedInWindow: number;
  /** Requests that were due in the measured window but sent late by more than one slot interval (engine lag). */
  lateSends: number;
  /** Delay from intended start to handing the request to the pool, for measured slots (engine accuracy), µs. */
  sendLag: string;
  /** Largest queue of slots waiting for a free VU. */
  maxQueued: number;
  vus: number;
}

export interface ShardProgress {
  phase: 'warmup' | 'measure';
  elapsedMs: number;
  sent: number;
  errors: number;
}

interface Bucket {
  requests: number;
  errors: ErrorCounts;
  histogram: Histogram;
}

const newBucket = (): Bucket => ({ requests: 0, errors: emptyErrors(), histogram: createLatencyHistogram() });

export async function runShard(spec: ShardSpec, onProgress?: (p: ShardProgress) => void): Promise<ShardResult> {
  const origin = new URL(spec.baseUrl);
  const basePath = origin.pathname.replace(/\/$/, '');
  const pool = new Pool(origin.origin, {
    connections: spec.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 600_000,
    headersTimeout: spec.timeoutMs,
    bodyTimeout: spec.timeoutMs,
    connect: { timeout: Math.min(spec.timeoutMs, 10_000) },
  });
  let grpc: GrpcCaller | undefined; // created on the first gRPC request
  const rand = seededRandom(spec.seed);
  const t0 = spec.startEpochMs - performance.timeOrigin; // schedule origin on this thread's clock
  const intervalMs = 1000 / spec.rps;
  const measureStart = t0 + spec.warmupMs;
  const measureEnd = measureStart + spec.durationMs;
  const totalSlots = Math.max(0, Math.ceil((spec.warmupMs + spec.durationMs - spec.phaseMs) / intervalMs));
  const slotTime = (i: number) => t0 + spec.phaseMs + i * intervalMs;

  const total = newBucket();
  const sendLag = createLatencyHistogram();
  const steps = new Map<string, Bucket>();
  let completedInWindow = 0;
  let lateSends = 0;
  let sent = 0;
  let errorCount = 0;
  let inFlight = 0;
  let draining = false;

  const idle: VirtualUser[] = [];
  let vus = 0;
  const newVu = () => {
    vus++;
    return new VirtualUser(spec.journey, rand);
  };
  for (let i = 0; i < spec.minVus; i++) idle.push(newVu());
  const queued: number[] = []; // slots waiting for a VU
  let queuedHead = 0;
  let maxQueued = 0;

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let scheduleFinished = false;
  const maybeDone = () => {
    if (scheduleFinished && inFlight === 0 && queuedHead === queued.length) resolveDone();
  };

  type Outcome = ErrorClass | 'ok' | { grpc: string };
  const record = (req: PreparedRequest, intended: number, end: number, outcome: Outcome, gotResponse: boolean) => {
    if (outcome !== 'ok') errorCount++;
    if (intended < measureStart || intended >= measureEnd) return; // warm-up (or past the window): discarded
    if (end <= measureEnd) completedInWindow++;
    let step = steps.get(req.step);
    if (!step) steps.set(req.step, (step = newBucket()));
    for (const b of [total, step]) {
      b.requests++;
      if (typeof outcome === 'object') b.errors.grpc[outcome.grpc] = (b.errors.grpc[outcome.grpc] ?? 0) + 1;
      else if (outcome !== 'ok') b.errors[outcome]++;
      if (gotResponse) recordMs(b.histogram, end - intended);
    }
  };

  const finish = (vu: VirtualUser) => {
    inFlight--;
    catchUp();
    if (queuedHead < queued.length) {
      const slot = queued[queuedHead++];
      if (queuedHead === queued.length) queued.length = queuedHead = 0;
      issue(vu, slot);
    } else {
      idle.push(vu);
      maybeDone();
    }
  };

  const issue = (vu: VirtualUser, slot: number) => {
    const intended = slotTime(slot);
    if (intended >= measureStart && intended < measureEnd) recordMs(sendLag, performance.now() - intended);
    const req = vu.next();
    inFlight++;
    sent++;
    const headers: Record<string, string> = { 'user-agent': 'meshbench' };
    const cookie = vu.jar?.header();
    if (cookie) headers.cookie = cookie;
    if (req.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const done = (outcome: Outcome, gotResponse: boolean) => {
      record(req, intended, performance.now(), outcome, gotResponse);
      finish(vu);
    };
    if (req.grpc) {
      grpc ??= new GrpcCaller(spec.baseUrl, spec.connections, spec.timeoutMs);
      // A status from the server is a response (its latency counts); UNAVAILABLE (14) means no server was reached.
      return grpc.call(req.grpc.protoFile, req.path, req.grpc.message, (o) =>
        o.ok ? done('ok', true) : done(o.error, typeof o.error === 'object' && o.error.grpc !== '14'),
      );
    }
    send(vu, req, headers, done);
  };

  // undici's low-level dispatch API: no response stream or promise per request, which keeps the engine's own CPU
  // cost and latency floor low. The body is read to its last byte (latency ends there) and dropped.
  const send = (vu: VirtualUser, req: PreparedRequest, headers: Record<string, string>, done: (outcome: ErrorClass | 'ok', gotResponse: boolean) => void) => {
    let status = 0;
    pool.dispatch(
      { path: basePath + req.path, method: req.method, headers, body: req.body },
      {
        onRequestStart() {},
        onResponseStart(_controller, statusCode, resHeaders) {
          if (statusCode < 200) return; // 1xx informational: the real response follows
          status = statusCode;
          vu.jar?.store(resHeaders['set-cookie']);
        },
        onResponseData() {},
        onResponseEnd() {
          const ok = req.expect ? req.expect.includes(status) : status >= 200 && status < 400;
          done(ok ? 'ok' : classifyStatus(status), true);
        },
        onResponseError(_controller, err) {
          done(draining ? 'timeout' : classifyError(err), false);
        },
      },
    );
  };

  const dispatch = (slot: number) => {
    const vu = idle.shift() ?? (vus < spec.maxVus ? newVu() : undefined);
    if (vu) return issue(vu, slot);
    queued.push(slot);
    maxQueued = Math.max(maxQueued, queued.length - queuedHead);
  };

  // Slots go out when the clock thread (clock.ts) says they are due: precise to tens of µs, without polling.
  let nextSlot = 0;
  const clock = startClock({ startEpochMs: spec.startEpochMs, phaseMs: spec.phaseMs, intervalMs, totalSlots });
  const onDue = (due: number) => {
    const now = performance.now();
    while (nextSlot < due) {
      const t = slotTime(nextSlot);
      if (now - t > intervalMs && t >= measureStart) lateSends++;
      dispatch(nextSlot++);
    }
    if (nextSlot >= totalSlots && !scheduleFinished) {
      scheduleFinished = true;
      maybeDone();
    }
  };

  // Already awake for a response: send whatever is due now rather than wait for the clock's wake-up.
  const catchUp = () => {
    if (nextSlot >= totalSlots) return;
    const now = performance.now();
    let due = nextSlot;
    while (due < totalSlots && slotTime(due) <= now) due++;
    if (due > nextSlot) onDue(due);
  };

  const progressTimer = onProgress
    ? setInterval(() => {
        const now = performance.now();
        onProgress({ phase: now < measureStart ? 'warmup' : 'measure', elapsedMs: now - t0, sent, errors: errorCount });
      }, 1000)
    : undefined;

  followClock(clock, totalSlots, onDue);

  // Requests still open long after the schedule ended are cut off and counted as timeouts.
  const drainDeadline = setTimeout(() => {
    draining = true;
    void pool.destroy();
  }, measureEnd - performance.now() + spec.timeoutMs + 5_000);
  try {
    await done;
  } finally {
    clearTimeout(drainDeadline);
    await clock.stop();
    grpc?.close();
    if (progressTimer) clearInterval(progressTimer);
    if (!draining) await pool.close();
  }

  const encode = (b: Bucket): EncodedStats => ({ requests: b.requests, errors: b.errors, histogram: encodeHistogram(b.histogram) });
  return {
    total: encode(total),
    steps: Object.fromEntries([...steps].map(([name, b]) => [name, encode(b)])),
    completedInWindow,
    lateSends,
    sendLag: encodeHistogram(sendLag),
    maxQueued,
    vus,
  };
}
