// k6 support without k6: the renderer's script is checked by Node's parser and executed against stand-ins for the
// k6 modules; the parsers read samples written by hand from k6's documented output formats (fixtures/README.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Journey } from '../journey.ts';
import { renderK6Script, SUMMARY_MARKER } from './render.ts';
import { parseK6Ndjson, parseK6Summary } from './parse.ts';
import { renderDockerfile, K6_IMAGE, K6_VERSION } from './versions.ts';
import { decodeHistogram } from '../histogram.ts';

const here = new URL('.', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, here));

const boutiqueLike: Journey = {
  name: 'shop',
  cookies: true,
  onStart: { name: 'index', weight: 1, requests: [{ method: 'GET', path: '/' }] },
  steps: [
    { name: 'browseProduct', weight: 10, params: { id: { oneOf: ['OLJCESPC7Z', '66VCHSJNUP'] } }, requests: [{ method: 'GET', path: '/product/{id}' }] },
    { name: 'addToCart', weight: 2, params: { id: { oneOf: ['OLJCESPC7Z'] }, q: { int: [1, 10] } }, requests: [
      { method: 'GET', path: '/product/{id}' },
      { method: 'POST', path: '/cart', form: { product_id: '{id}', quantity: '{q}' } },
    ] },
    { name: 'checkout', weight: 1, params: { year: { yearsFromNow: [1, 3] } }, requests: [
      { method: 'POST', path: '/cart/checkout', form: { email: 'a@b.c', credit_card_expiration_year: '{year}' }, expect: [200] },
    ] },
    { name: 'viewCart', weight: 3, requests: [{ method: 'GET', path: '/cart' }] },
  ],
};
const plan = { journey: boutiqueLike, baseUrl: 'http://127.0.0.1:8080/', rps: 50, warmupMs: 2000, durationMs: 10_000, seed: 7 };

test('the committed Dockerfile is the one rendered from versions.ts', () => {
  assert.equal(readFileSync(new URL('Dockerfile', here), 'utf8'), renderDockerfile());
  assert.match(K6_IMAGE, new RegExp(K6_VERSION.slice(1)));
});

test('the rendered script is valid JavaScript with an open-model scenario', () => {
  const script = renderK6Script(plan);
  const dir = mkdtempSync(join(tmpdir(), 'k6-render-'));
  try {
    writeFileSync(join(dir, 'script.mjs'), script);
    execFileSync(process.execPath, ['--check', join(dir, 'script.mjs')]); // throws on a syntax error
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.match(script, /"executor": "constant-arrival-rate"/);
  assert.match(script, /"rate": 50,\s+"timeUnit": "1s",\s+"duration": "12000ms"/);
  assert.match(script, /"noCookiesReset": true/);
  assert.match(script, /"http_req_duration\{phase:measure,step:browseProduct\}"/);
  assert.match(renderK6Script({ ...plan, rps: 12.5 }), /"rate": 12500,\s+"timeUnit": "1000s"/);
});

/** Runs the rendered script in Node against minimal stand-ins for k6/http, k6, k6/execution and k6/metrics. */
async function runScript(script: string, iterations: number, statusFor: (url: string) => number, elapsedMs: () => number) {
  const calls: Array<{ method: string; url: string; body: Record<string, string> | null; params: { tags: Record<string, string>; redirects: number } }> = [];
  const grpcCalls: Array<{ method: string; message: Record<string, unknown>; tags: Record<string, string>; target?: string; loaded: string[] }> = [];
  const counted: Array<Record<string, string>> = [];
  const seeds: number[] = [];
  (globalThis as Record<string, unknown>).__ENV = {};
  (globalThis as Record<string, unknown>).__k6 = {
    http: {
      expectedStatuses: (...s: unknown[]) => ({ expected: s }),
      request: (method: string, url: string, body: Record<string, string> | null, params: never) => {
        calls.push({ method, url, body, params });
        return { status: statusFor(url), error_code: 0 };
      },
    },
    check: () => true,
    randomSeed: (seed: number) => seeds.push(seed),
    exec: { vu: { idInTest: 1 }, scenario: { get startTime() { return Date.now() - elapsedMs(); } } },
    Counter: class { add(_n: number, tags: Record<string, string>) { counted.push(tags); } },
    grpc: {
      StatusOK: 0,
      StatusDeadlineExceeded: 4,
      Client: class {
        loaded: string[] = [];
        target?: string;
        load(_dirs: string[], ...files: string[]) { this.loaded.push(...files); }
        connect(target: string) { this.target = target; }
        invoke(method: string, message: Record<string, unknown>, params: { tags: Record<string, string> }) {
          grpcCalls.push({ method, message, tags: params.tags, target: this.target, loaded: this.loaded });
          return { status: message.fail_with ?? 0 };
        }
      },
    },
  };
  const shimmed = script
    .replace("import http from 'k6/http';", 'const http = globalThis.__k6.http;')
    .replace("import { check, randomSeed } from 'k6';", 'const { check, randomSeed } = globalThis.__k6;')
    .replace("import exec from 'k6/execution';", 'const exec = globalThis.__k6.exec;')
    .replace("import { Counter } from 'k6/metrics';", 'const { Counter } = globalThis.__k6;')
    .replace("import grpc from 'k6/net/grpc';", 'const grpc = globalThis.__k6.grpc;');
  assert.doesNotMatch(shimmed, /^import /m, 'every k6 import was replaced');
  const dir = mkdtempSync(join(tmpdir(), 'k6-exec-'));
  try {
    writeFileSync(join(dir, 'script.mjs'), shimmed);
    const mod = await import(pathToFileURL(join(dir, 'script.mjs')).href);
    for (let i = 0; i < iterations; i++) mod.default();
    return { calls, grpcCalls, counted, seeds, summary: mod.handleSummary({ metrics: {} }) as { stdout: string } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the rendered script walks the journey like the built-in engine: one request per iteration, sessions, params', async () => {
  let elapsed = 0;
  const { calls, counted, seeds, summary } = await runScript(renderK6Script(plan), 300, (url) => (url.endsWith('/cart/checkout') ? 500 : 200), () => elapsed++ * 20);
  assert.equal(calls.length, 300);
  assert.deepEqual(seeds, [7 * 100003 + 1], 'seeded once per VU from the plan seed');
  assert.equal(calls[0].url, 'http://127.0.0.1:8080/');
  assert.equal(calls[0].params.tags.step, 'index');
  assert.equal(calls.filter((c) => c.params.tags.step === 'index').length, 1, 'onStart runs once per VU');
  assert.ok(calls.every((c) => c.params.redirects === 0));
  assert.equal(calls[0].params.tags.phase, 'warmup');
  assert.equal(calls[299].params.tags.phase, 'measure');
  for (let i = 1; i < calls.length; i++) {
    if (calls[i].url.endsWith('/cart') && calls[i].method === 'POST') {
      assert.equal(calls[i - 1].url, `http://127.0.0.1:8080/product/${calls[i].body!.product_id}`, 'params shared within a step');
      assert.match(calls[i].body!.quantity, /^([1-9]|10)$/);
    }
  }
  const steps = new Set(calls.map((c) => c.params.tags.step));
  assert.deepEqual([...steps].sort(), ['addToCart', 'browseProduct', 'checkout', 'index', 'viewCart']);
  const checkouts = calls.filter((c) => c.params.tags.step === 'checkout').length;
  assert.equal(counted.filter((t) => t.class === 'http5xx' && t.step === 'checkout').length, checkouts, 'each 5xx counted in its class');
  assert.ok(summary.stdout.includes(SUMMARY_MARKER));
});

test('NDJSON points → histograms per step, errors by class, measured phase only', () => {
  const r = parseK6Ndjson(fixture('points.ndjson'), { journey: boutiqueLike, targetRps: 3, warmupMs: 1000, durationMs: 2000 });
  assert.equal(r.engine, 'k6');
  assert.equal(r.total.requests, 6, 'the warm-up point is left out');
  assert.deepEqual(r.total.errors, { connect: 1, timeout: 1, http4xx: 1, http5xx: 1, grpc: {}, other: 0 });
  assert.equal(decodeHistogram(r.total.histogram).totalCount, 4, 'requests without a response carry no latency');
  assert.equal(r.total.latencyMs.max, 40);
  assert.equal(r.total.latencyMs.min, 2.5);
  assert.deepEqual(Object.keys(r.steps), ['browseProduct', 'checkout', 'index', 'viewCart']);
  assert.equal(r.steps.browseProduct.requests, 2);
  assert.equal(r.steps.viewCart.errors.timeout, 1);
  assert.equal(r.measureStartedAt, Date.parse('2026-11-27T01:00:01Z'), 'window starts warm-up after the first point');
  assert.equal(r.achievedRps, 3, '6 completions in the 2 s window');
});

test('NDJSON at scale: percentiles from the rebuilt histogram', () => {
  const t0 = Date.parse('2026-11-27T01:00:00Z');
  const lines = Array.from({ length: 1000 }, (_, i) => JSON.stringify({
    type: 'Point', metric: 'http_req_duration',
    data: { time: new Date(t0 + 1000 + i * 10).toISOString().replace('Z', '000000Z'), value: i < 990 ? 1 + (i % 10) / 10 : 500, tags: { expected_response: 'true', status: '200', phase: 'measure', step: 'viewCart' } },
  }));
  lines.unshift(JSON.stringify({ type: 'Point', metric: 'vus', data: { time: new Date(t0).toISOString(), value: 1, tags: null } }));
  const r = parseK6Ndjson(lines.join('\n'), { journey: boutiqueLike, targetRps: 100, warmupMs: 1000, durationMs: 10_000 });
  assert.equal(r.total.requests, 1000);
  assert.equal(r.achievedRps, 100);
  assert.ok(Math.abs(r.total.latencyMs.p50 - 1.5) < 0.01, `p50 ${r.total.latencyMs.p50}`);
  assert.ok(r.total.latencyMs.p90 < 2);
  assert.ok(r.total.latencyMs.p999 >= 499, `p99.9 ${r.total.latencyMs.p999}`);
  assert.throws(() => parseK6Ndjson('{"type":"Point","metric":"vus","data":{}}', { journey: boutiqueLike, targetRps: 1, warmupMs: 0, durationMs: 1 }), /no http_req_duration\/grpc_req_duration points/);
  assert.throws(() => parseK6Ndjson('nope', { journey: boutiqueLike, targetRps: 1, warmupMs: 0, durationMs: 1 }), /line 1 is not JSON/);
});

test('summaries: handleSummary data, --summary-export, and logs with the marker', () => {
  const ctx = { journey: boutiqueLike, targetRps: 100, warmupMs: 2000, durationMs: 10_000, startedAt: 1_000_000 };
  const h = parseK6Summary(fixture('summary-handle.json').toString(), ctx);
  assert.equal(h.total.requests, 1000);
  assert.equal(h.achievedRps, 100);
  assert.deepEqual(h.total.latencyMs, { min: 0.9, mean: 3.5, p50: 3, p90: 6, p99: 18.25, p999: 55, max: 60.5 });
  assert.equal(h.total.errors.http5xx, 3);
  assert.equal(h.total.histogram, '', 'a summary has percentiles, not a histogram');
  assert.deepEqual(Object.keys(h.steps).sort(), ['checkout', 'index']);
  assert.equal(h.steps.checkout.errors.http5xx, 3);
  assert.equal(h.measureStartedAt, 1_002_000);

  const e = parseK6Summary(fixture('summary-export.json').toString(), ctx);
  assert.equal(e.total.requests, 1000);
  assert.equal(e.total.errors.timeout, 2);
  assert.equal(e.total.latencyMs.p99, 18.25);

  const logs = `running…\n${SUMMARY_MARKER}\n${JSON.stringify(JSON.parse(fixture('summary-handle.json').toString()))}\n`;
  assert.equal(parseK6Summary(logs, ctx).total.requests, 1000);
  assert.throws(() => parseK6Summary('{"metrics":{"http_reqs":{"count":1}}}', ctx), /phase:measure/);
});

test('gRPC steps render to k6/net/grpc calls and parse back from grpc_req_duration points', async () => {
  const journey: Journey = {
    name: 'echo',
    cookies: false,
    steps: [
      { name: 'say', weight: 1, params: { w: { oneOf: ['a', 'b'] } }, requests: [{ method: 'POST', path: '/meshbench.test.Echo/Say', grpc: { protoFile: '/somewhere/test-echo.proto', message: { text: 'hi {w}' } } }] },
      { name: 'deny', weight: 1, requests: [{ method: 'POST', path: '/meshbench.test.Echo/Say', grpc: { protoFile: '/somewhere/test-echo.proto', message: { fail_with: 7 } } }] },
    ],
  };
  const script = renderK6Script({ journey, baseUrl: 'http://127.0.0.1:9090', rps: 10, warmupMs: 0, durationMs: 1000 });
  const dir = mkdtempSync(join(tmpdir(), 'k6-grpc-'));
  try {
    writeFileSync(join(dir, 'script.mjs'), script);
    execFileSync(process.execPath, ['--check', join(dir, 'script.mjs')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const { grpcCalls, calls, counted } = await runScript(script, 40, () => 200, () => 1000);
  assert.equal(calls.length, 0, 'no HTTP requests');
  assert.equal(grpcCalls.length, 40);
  assert.ok(grpcCalls.every((c) => c.method === 'meshbench.test.Echo/Say' && c.target === '127.0.0.1:9090' && c.loaded.includes('test-echo.proto')));
  assert.ok(grpcCalls.filter((c) => c.tags.step === 'say').every((c) => c.message.text === 'hi a' || c.message.text === 'hi b'));
  assert.equal(counted.filter((t) => t.class === 'grpc_7').length, grpcCalls.filter((c) => c.tags.step === 'deny').length);

  const point = (value: number, status: string, step: string) =>
    JSON.stringify({ type: 'Point', metric: 'grpc_req_duration', data: { time: '2026-11-27T01:00:01.5Z', value, tags: { status, step, phase: 'measure', method: '/meshbench.test.Echo/Say', rpc_type: 'unary' } } });
  const r = parseK6Ndjson([point(2, '0', 'say'), point(3, '7', 'deny'), point(10000, '4', 'say'), point(1, '14', 'deny')].join('\n'), { journey, targetRps: 4, warmupMs: 0, durationMs: 1000 });
  assert.equal(r.total.requests, 4);
  assert.deepEqual(r.total.errors, { connect: 0, timeout: 1, http4xx: 0, http5xx: 0, grpc: { '7': 1, '14': 1 }, other: 0 });
  assert.equal(decodeHistogram(r.total.histogram).totalCount, 2, 'OK and PERMISSION_DENIED answered; deadline and unavailable did not');
});
