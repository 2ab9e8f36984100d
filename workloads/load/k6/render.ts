// Renders a Journey and a load plan into a k6 script (k6 JavaScript API) that drives the same traffic as the
// built-in engine:
// - one scenario, executor `constant-arrival-rate` (open model): each iteration is ONE request, like one slot of
//   the built-in engine; k6 hands it to a free VU and starts more VUs up to maxVUs.
// - module-level state is per VU in k6, so each VU walks the journey as a session: onStart once, then weighted
//   steps; a step's params are drawn once and shared by its requests; `noCookiesReset` keeps each VU's cookie jar
//   across iterations (k6 resets it per iteration by default).
// - requests are tagged `step` and `phase` (warmup/measure, from k6/execution's scenario start); thresholds on
//   `{phase:measure}` submetrics make k6 put the measured window, per step and per error class, in its summary.
// - redirects are not followed (each slot is one request) and 200–399 counts as success unless a request says.
// Difference to the built-in engine, stated in the report: k6's http_req_duration runs from the actual send, not the
// intended start, so k6 does not correct coordinated omission beyond its open-model schedule (late iterations are
// dropped and counted in `dropped_iterations`).
import { basename } from 'node:path';
import type { Journey, JourneyRequest } from '../journey.ts';
import { stepTags } from './step-tags.ts';

export interface K6ScriptPlan {
  journey: Journey;
  /** Default target; the script reads BASE_URL from the environment first (k6 run -e BASE_URL=…). */
  baseUrl: string;
  rps: number;
  warmupMs: number;
  durationMs: number;
  timeoutMs?: number;
  seed?: number;
  preAllocatedVUs?: number;
  maxVUs?: number;
}

export const ERROR_CLASSES = ['connect', 'timeout', 'http4xx', 'http5xx', 'other'] as const;
/** gRPC status codes other than OK (0) and DEADLINE_EXCEEDED (4, a timeout), counted by code. */
export const GRPC_ERROR_CODES = [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] as const;

/** The .proto files a journey's gRPC requests need next to the script (by basename). */
export function k6ProtoFiles(journey: Journey): string[] {
  const steps = journey.onStart ? [journey.onStart, ...journey.steps] : journey.steps;
  const files = [...new Set(steps.flatMap((s) => s.requests.flatMap((r) => (r.grpc ? [r.grpc.protoFile] : []))))];
  const names = new Set(files.map((f) => basename(f)));
  if (names.size !== files.length) throw new Error(`k6: two .proto files share a file name (${files.join(', ')}); k6 loads them by name next to the script`);
  return files;
}
/** Marker line before the summary JSON that handleSummary prints to stdout (for runs where only logs come back). */
export const SUMMARY_MARKER = '--- meshbench k6 summary ---';

/** k6's constant-arrival-rate takes an integer rate per timeUnit; fractional rates use a longer unit. */
function arrival(rps: number): { rate: number; timeUnit: string } {
  if (Number.isInteger(rps)) return { rate: rps, timeUnit: '1s' };
  return { rate: Math.round(rps * 1000), timeUnit: '1000s' };
}

export function renderK6Script(p: K6ScriptPlan): string {
  const tags = stepTags(p.journey);
  const j = p.journey;
  // gRPC requests name their .proto by basename: the runner puts the files next to the script (k6ProtoFiles).
  const toRequest = (r: JourneyRequest) => (r.grpc ? { ...r, grpc: { proto: basename(r.grpc.protoFile), message: r.grpc.message ?? {} } } : r);
  const toStep = (s: Journey['steps'][number]) => ({ name: s.name, tag: tags.get(s.name), weight: s.weight, params: s.params ?? {}, requests: s.requests.map(toRequest) });
  const protos = k6ProtoFiles(j).map((f) => basename(f));
  const journey = { onStart: j.onStart ? toStep(j.onStart) : null, steps: j.steps.map(toStep) };
  const thresholds: Record<string, string[]> = {
    'http_req_duration{phase:measure}': ['max>=0'],
    'http_reqs{phase:measure}': ['count>=0'],
  };
  for (const tag of new Set(tags.values())) {
    thresholds[`http_req_duration{phase:measure,step:${tag}}`] = ['max>=0'];
    thresholds[`http_reqs{phase:measure,step:${tag}}`] = ['count>=0'];
    for (const c of ERROR_CLASSES) thresholds[`meshbench_errors{phase:measure,step:${tag},class:${c}}`] = ['count>=0'];
  }
  for (const c of ERROR_CLASSES) thresholds[`meshbench_errors{phase:measure,class:${c}}`] = ['count>=0'];
  if (protos.length) {
    thresholds['grpc_req_duration{phase:measure}'] = ['max>=0'];
    for (const tag of new Set(tags.values())) thresholds[`grpc_req_duration{phase:measure,step:${tag}}`] = ['max>=0'];
    for (const code of GRPC_ERROR_CODES) thresholds[`meshbench_errors{phase:measure,class:grpc_${code}}`] = ['count>=0'];
  }
  const { rate, timeUnit } = arrival(p.rps);
  const options = {
    discardResponseBodies: true,
    noCookiesReset: !!j.cookies,
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(99)', 'p(99.9)', 'count'],
    scenarios: {
      journey: {
        executor: 'constant-arrival-rate',
        rate,
        timeUnit,
        duration: `${Math.ceil(p.warmupMs + p.durationMs)}ms`,
        preAllocatedVUs: p.preAllocatedVUs ?? 10,
        maxVUs: p.maxVUs ?? 1000,
        gracefulStop: `${Math.ceil((p.timeoutMs ?? 10_000) / 1000) + 5}s`,
      },
    },
    thresholds,
  };
  const js = (v: unknown) => JSON.stringify(v, null, 2);
  return `// Generated by meshbench from journey "${j.name}" for k6 ${'>='} v1 — re-render instead of editing.
import http from 'k6/http';
import { check, randomSeed } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
${protos.length ? "import grpc from 'k6/net/grpc';\n" : ''}
const BASE_URL = (__ENV.BASE_URL || ${js(p.baseUrl.replace(/\/$/, ''))}).replace(/\\/$/, '');
const WARMUP_MS = ${Math.round(p.warmupMs)};
const TIMEOUT = '${Math.round(p.timeoutMs ?? 10_000)}ms';
const JOURNEY = ${js(journey)};
const errors = new Counter('meshbench_errors');
const DEFAULT_OK = http.expectedStatuses({ min: 200, max: 399 });
${protos.length ? `const grpcClient = new grpc.Client();
grpcClient.load(['.'], ${protos.map((f) => js(f)).join(', ')});
let grpcConnected = false;
` : ''}
export const options = ${js(options)};

// Per-VU session state (module scope is per VU in k6).
let queue = [];
let started = false;
const SEED = ${p.seed === undefined ? 'null' : Math.trunc(p.seed)};

function randomInt(lo, hi) {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

function draw(v) {
  if (typeof v === 'string') return v;
  if (v.oneOf) return v.oneOf[Math.floor(Math.random() * v.oneOf.length)];
  if (v.int) return String(randomInt(v.int[0], v.int[1]));
  return String(new Date().getUTCFullYear() + randomInt(v.yearsFromNow[0], v.yearsFromNow[1]));
}

function fill(text, params, encode) {
  return text.replace(/\\{(\\w+)\\}/g, (_, name) => (encode ? encodeURIComponent(params[name]) : params[name]));
}

function fillDeep(v, params) {
  if (typeof v === 'string') return fill(v, params, false);
  if (Array.isArray(v)) return v.map((x) => fillDeep(x, params));
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v)) out[k] = fillDeep(v[k], params);
    return out;
  }
  return v;
}

function pickStep() {
  let total = 0;
  for (const s of JOURNEY.steps) total += s.weight;
  let r = Math.random() * total;
  for (const s of JOURNEY.steps) {
    r -= s.weight;
    if (r < 0) return s;
  }
  return JOURNEY.steps[JOURNEY.steps.length - 1];
}

function errorClass(res) {
  if (res.status >= 400 && res.status < 500) return 'http4xx';
  if (res.status >= 500 && res.status < 600) return 'http5xx';
  if (res.status !== 0) return 'other';
  const code = res.error_code;
  if (code === 1050) return 'timeout';
  if ((code >= 1100 && code < 1200) || (code >= 1210 && code <= 1213)) return 'connect'; // DNS and dial errors
  return 'other';
}

export default function () {
  if (!started && SEED !== null) randomSeed(SEED * 100003 + exec.vu.idInTest); // reproducible choices per VU
  if (queue.length === 0) {
    const step = !started && JOURNEY.onStart ? JOURNEY.onStart : pickStep();
    started = true;
    const params = {};
    for (const name of Object.keys(step.params)) params[name] = draw(step.params[name]);
    for (const r of step.requests) queue.push({ step, r, params });
  }
  const { step, r, params } = queue.shift();
  const phase = Date.now() - exec.scenario.startTime < WARMUP_MS ? 'warmup' : 'measure';
  const tags = { step: step.tag, phase };
  if (r.grpc) return callGrpc(r, params, tags);
  let body = null;
  if (r.form) {
    body = {};
    for (const k of Object.keys(r.form)) body[k] = fill(r.form[k], params, false);
  }
  const res = http.request(r.method, BASE_URL + fill(r.path, params, true), body, {
    tags,
    redirects: 0,
    timeout: TIMEOUT,
    responseCallback: r.expect ? http.expectedStatuses(...r.expect) : DEFAULT_OK,
  });
  const ok = r.expect ? r.expect.indexOf(res.status) >= 0 : res.status >= 200 && res.status < 400;
  check(res, { 'expected status': () => ok }, tags);
  if (!ok) errors.add(1, Object.assign({ class: errorClass(res) }, tags));
}

${protos.length ? `// Unary gRPC (k6/net/grpc), one plaintext connection per VU. DEADLINE_EXCEEDED is a timeout; other statuses count
// by code; a failed connect (an exception) counts as connect.
function callGrpc(r, params, tags) {
  let res;
  try {
    if (!grpcConnected) {
      grpcClient.connect(BASE_URL.replace(/^https?:\\/\\//, ''), { plaintext: true, timeout: TIMEOUT });
      grpcConnected = true;
    }
    res = grpcClient.invoke(r.path.slice(1), fillDeep(r.grpc.message, params), { tags, timeout: TIMEOUT });
  } catch (e) {
    grpcConnected = false;
    errors.add(1, Object.assign({ class: 'connect' }, tags));
    return;
  }
  const ok = res.status === grpc.StatusOK;
  check(res, { 'grpc status OK': () => ok }, tags);
  if (!ok) errors.add(1, Object.assign({ class: res.status === grpc.StatusDeadlineExceeded ? 'timeout' : 'grpc_' + res.status }, tags));
}

` : ''}export function handleSummary(data) {
  return { stdout: '\\n${SUMMARY_MARKER}\\n' + JSON.stringify(data) + '\\n' };
}
`;
}
