// Parses k6 output into a LoadResult, the same format the built-in engine produces.
//
// Two inputs, both in k6's documented formats (k6 cannot run on the machines this was written on, so the tests use
// samples written from the documentation, not captured output):
// - NDJSON from `k6 run --out json=FILE`: lines {"type":"Metric"|"Point","metric":NAME,"data":{...}}; a Point's data
//   is {time (RFC 3339), value (ms for time metrics), tags}. The HDR histogram is rebuilt from the
//   http_req_duration points tagged phase=measure, so k6 results merge with everything else. Preferred.
// - The end-of-test summary: handleSummary's `data` (metrics[name] = {type, contains, values:{…}}) or the older
//   `--summary-export` file (metrics[name] = {avg, min, med, …} flat). Percentiles are k6's own; there is no
//   histogram to rebuild, so `histogram` is '' and such results can be shown but not merged.
// Error classes come from the response status (4xx/5xx) or, without a response, k6's error_code
// (1050 request timeout → timeout; 1100–1199 DNS and 1210–1213 dial errors → connect; the rest → other).
import { gunzipSync } from 'node:zlib';
import type { ErrorCounts, RequestStats } from '../../../reports/schema.ts';
import type { Journey } from '../journey.ts';
import type { LoadResult } from '../types.ts';
import { emptyErrors, type ErrorClass } from '../errors.ts';
import { createLatencyHistogram, encodeHistogram, recordMs, summarize } from '../histogram.ts';
import { ERROR_CLASSES, GRPC_ERROR_CODES, SUMMARY_MARKER } from './render.ts';
import { stepTags } from './step-tags.ts';
import type { Histogram } from 'hdr-histogram-js';

export interface K6ParseContext {
  journey: Journey;
  targetRps: number;
  warmupMs: number;
  durationMs: number;
  /** Epoch ms when the k6 run started (for summary-only results; NDJSON carries its own timestamps). */
  startedAt?: number;
}

export const K6_ENGINE = 'k6';

export function k6ErrorClass(status: number, errorCode: number | undefined): ErrorClass {
  if (status >= 400 && status < 500) return 'http4xx';
  if (status >= 500 && status < 600) return 'http5xx';
  if (status !== 0) return 'other';
  if (errorCode === 1050) return 'timeout';
  if (errorCode !== undefined && ((errorCode >= 1100 && errorCode < 1200) || (errorCode >= 1210 && errorCode <= 1213))) return 'connect';
  return 'other';
}

interface Bucket {
  requests: number;
  errors: ErrorCounts;
  histogram: Histogram;
}

const bucket = (): Bucket => ({ requests: 0, errors: emptyErrors(), histogram: createLatencyHistogram() });
const toStats = (b: Bucket): RequestStats => ({ requests: b.requests, errors: b.errors, latencyMs: summarize(b.histogram), histogram: encodeHistogram(b.histogram) });

/** `k6 run --out json=…` output (plain or gzip) → LoadResult with histograms rebuilt from the points. */
export function parseK6Ndjson(input: string | Buffer, ctx: K6ParseContext): LoadResult {
  const text = typeof input === 'string' ? input : input[0] === 0x1f && input[1] === 0x8b ? gunzipSync(input).toString('utf8') : input.toString('utf8');
  const byTag = new Map([...stepTags(ctx.journey)].map(([name, tag]) => [tag, name]));
  const total = bucket();
  const steps = new Map<string, Bucket>();
  const completions: number[] = [];
  let firstPointAt = Infinity;
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (!line.trim()) continue;
    let entry: { type?: string; metric?: string; data?: { time?: string; value?: number; tags?: Record<string, string> | null } };
    try {
      entry = JSON.parse(line);
    } catch {
      throw new Error(`k6 JSON output line ${lineNo} is not JSON: ${line.slice(0, 80)}… (expected k6 --out json NDJSON)`);
    }
    if (entry.type !== 'Point' || !entry.data) continue;
    const at = Date.parse(entry.data.time ?? '');
    if (Number.isFinite(at)) firstPointAt = Math.min(firstPointAt, at);
    if (entry.metric !== 'http_req_duration' && entry.metric !== 'grpc_req_duration') continue;
    const tags = entry.data.tags ?? {};
    if (tags.phase !== 'measure') continue;
    const status = Number(tags.status ?? 0);
    const errorCode = tags.error_code !== undefined ? Number(tags.error_code) : undefined;
    // gRPC points carry the gRPC status: 0 OK, 4 DEADLINE_EXCEEDED (timeout, no latency), 14 UNAVAILABLE (no
    // server reached, no latency), others by code with their latency — as the built-in engine counts them.
    const isGrpc = entry.metric === 'grpc_req_duration';
    const failed = isGrpc ? status !== 0 : tags.expected_response === 'false';
    const answered = isGrpc ? status !== 4 && status !== 14 : status !== 0;
    const stepName = byTag.get(tags.step ?? '') ?? tags.step ?? 'unknown';
    let step = steps.get(stepName);
    if (!step) steps.set(stepName, (step = bucket()));
    completions.push(at);
    for (const b of [total, step]) {
      b.requests++;
      if (failed && isGrpc && status === 4) b.errors.timeout++;
      else if (failed && isGrpc) b.errors.grpc[String(status)] = (b.errors.grpc[String(status)] ?? 0) + 1;
      else if (failed) b.errors[k6ErrorClass(status, errorCode)]++;
      if (answered) recordMs(b.histogram, entry.data.value ?? 0); // no response: an error, not a latency
    }
  }
  if (total.requests === 0) {
    throw new Error('k6 JSON output has no http_req_duration/grpc_req_duration points tagged phase=measure; was the script rendered by meshbench (renderK6Script) and run with --out json=FILE?');
  }
  const measureStartedAt = (Number.isFinite(firstPointAt) ? firstPointAt : ctx.startedAt ?? 0) + ctx.warmupMs;
  const measureEndedAt = measureStartedAt + ctx.durationMs;
  const inWindow = completions.filter((t) => t >= measureStartedAt && t < measureEndedAt).length;
  return {
    engine: K6_ENGINE,
    targetRps: ctx.targetRps,
    achievedRps: inWindow / (ctx.durationMs / 1000),
    durationS: ctx.durationMs / 1000,
    total: toStats(total),
    steps: Object.fromEntries([...steps].sort(([a], [b]) => a.localeCompare(b)).map(([n, b]) => [n, toStats(b)])),
    measureStartedAt,
    measureEndedAt,
  };
}

type SummaryValues = Record<string, number>;
interface K6Summary {
  metrics: Record<string, SummaryValues | { values: SummaryValues }>;
  state?: { testRunDurationMs?: number };
}

/** The summary JSON, or k6's stdout/logs in which handleSummary printed it after SUMMARY_MARKER. */
export function extractSummary(textOrJson: string): K6Summary {
  const at = textOrJson.lastIndexOf(SUMMARY_MARKER);
  const json = at >= 0 ? textOrJson.slice(at + SUMMARY_MARKER.length).trim().split('\n')[0] : textOrJson;
  let data: K6Summary;
  try {
    data = JSON.parse(json);
  } catch {
    throw new Error('k6 summary is not JSON: pass the --summary-export file, handleSummary data, or logs holding the meshbench summary marker');
  }
  if (!data || typeof data.metrics !== 'object') throw new Error('k6 summary has no "metrics" object; is it k6 --summary-export or handleSummary output?');
  return data;
}

/** k6 end-of-test summary (handleSummary data or --summary-export) → LoadResult without a histogram. */
export function parseK6Summary(input: string | object, ctx: K6ParseContext): LoadResult {
  const data = typeof input === 'string' ? extractSummary(input) : (input as K6Summary);
  const values = (name: string): SummaryValues | undefined => {
    const m = data.metrics[name];
    if (!m) return undefined;
    return 'values' in m && typeof m.values === 'object' ? (m.values as SummaryValues) : (m as SummaryValues);
  };
  // gRPC calls have their own trend (grpc_req_duration, whose `count` is the number of calls). A summary cannot
  // merge two trends, so a step (or the total) reads HTTP when it has HTTP requests, else gRPC; the NDJSON path is exact.
  const stats = (suffix: string): RequestStats | undefined => {
    const reqs = values(`http_reqs{phase:measure${suffix}}`);
    const http = values(`http_req_duration{phase:measure${suffix}}`);
    const grpc = values(`grpc_req_duration{phase:measure${suffix}}`);
    const useHttp = http && reqs && (reqs.count ?? 0) > 0;
    const d = useHttp ? http : grpc ?? http;
    const count = useHttp ? reqs.count : grpc?.count ?? reqs?.count;
    if (!d || count === undefined) return undefined;
    const errors = emptyErrors();
    for (const c of ERROR_CLASSES) errors[c] = values(`meshbench_errors{phase:measure${suffix},class:${c}}`)?.count ?? 0;
    for (const code of GRPC_ERROR_CODES) {
      const n = values(`meshbench_errors{phase:measure${suffix},class:grpc_${code}}`)?.count ?? 0;
      if (n > 0) errors.grpc[String(code)] = n;
    }
    return {
      requests: count,
      errors,
      latencyMs: { min: d.min ?? 0, mean: d.avg ?? 0, p50: d.med ?? 0, p90: d['p(90)'] ?? 0, p99: d['p(99)'] ?? 0, p999: d['p(99.9)'] ?? 0, max: d.max ?? 0 },
      histogram: '',
    };
  };
  const total = stats('');
  if (!total) {
    throw new Error('k6 summary lacks http_req_duration{phase:measure} / http_reqs{phase:measure} (or grpc_req_duration{phase:measure}): the script must be rendered by meshbench (its thresholds create these submetrics)');
  }
  const steps: Record<string, RequestStats> = {};
  for (const [name, tag] of stepTags(ctx.journey)) {
    const s = stats(`,step:${tag}`);
    if (s && s.requests > 0) steps[name] = s;
  }
  const measureStartedAt = (ctx.startedAt ?? Date.now() - (data.state?.testRunDurationMs ?? ctx.warmupMs + ctx.durationMs)) + ctx.warmupMs;
  return {
    engine: K6_ENGINE,
    targetRps: ctx.targetRps,
    achievedRps: total.requests / (ctx.durationMs / 1000),
    durationS: ctx.durationMs / 1000,
    total,
    steps,
    measureStartedAt,
    measureEndedAt: measureStartedAt + ctx.durationMs,
  };
}
