// `npm run load`: argument parsing and the percentile table, kept apart from scripts/load.ts so they can be tested.
import { parseArgs } from 'node:util';
import { ConfigError, bad, parseDuration, parseRps } from '../../harness/config.ts';
import { totalErrors } from './errors.ts';
import { parseSlo } from './slo.ts';
import type { LoadResult } from './types.ts';

export interface LoadCliOptions {
  baseUrl: string;
  path: string;
  method: 'GET' | 'POST';
  rps: number[];
  durationMs: number;
  warmupMs: number;
  connections: number;
  timeoutMs: number;
  workers?: number;
  seed: number;
  json: boolean;
  findMaxRps: boolean;
  slo: string;
  help: boolean;
}

const FLAGS = {
  url: { type: 'string', help: 'target URL, e.g. http://127.0.0.1:8080/path (http or https)' },
  rps: { type: 'string', help: 'target rate in req/s, or a comma list for a sweep: 50,100,200' },
  duration: { type: 'string', help: 'measured window per rate, e.g. 30s, 2m, 500ms (default 10s)' },
  warmup: { type: 'string', help: 'warm-up on the same connections before each window, discarded (default 2s; 0 for none)' },
  connections: { type: 'string', help: 'keep-alive connections (default 16)' },
  timeout: { type: 'string', help: 'per-request timeout (default 10s)' },
  method: { type: 'string', help: 'GET or POST (default GET)' },
  workers: { type: 'string', help: 'worker threads (default: one per 5000 req/s, at most cores-1)' },
  seed: { type: 'string', help: 'seed for journey choices (default 1)' },
  json: { type: 'boolean', help: 'print JSON instead of a table' },
  'find-max-rps': { type: 'boolean', help: 'search (≤ 6 steps, starting at --rps) for the highest rate meeting --slo' },
  slo: { type: 'string', help: 'SLO for --find-max-rps (default "p99<50ms,errors<0.1%")' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

export function loadHelp(): string {
  const lines = Object.entries(FLAGS).map(([k, f]) => `  --${k.padEnd(14)} ${f.help}`);
  return [
    'npm run load -- --url URL --rps N --duration D [--connections C] [--json]',
    'Open-model constant-rate HTTP load (like wrk2 -R / fortio -uniform); latency counts from each intended start.',
    '',
    ...lines,
    '',
    'Examples:',
    '  npm run load -- --url http://127.0.0.1:8080/ --rps 200 --duration 20s',
    '  npm run load -- --url http://127.0.0.1:8080/ --rps 50,100,200 --duration 10s --json',
    '  npm run load -- --url http://127.0.0.1:8080/ --rps 100 --find-max-rps --slo "p99<20ms,errors<0.1%"',
  ].join('\n');
}

function int(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) bad(flag, value, `a whole number from ${min} to ${max}`);
  return Number(value);
}

export function parseLoadArgs(argv: string[]): LoadCliOptions {
  let v: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(Object.entries(FLAGS).map(([k, f]) => [k, { type: f.type }])) as Record<string, { type: 'string' | 'boolean' }>;
    v = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.replace(/\.?\s*To specify an option argument.*$/s, '')}.\nRun \`npm run load -- --help\` for the accepted flags.`);
  }
  const help = v.help === true;
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  if (help) return { help } as LoadCliOptions;

  const urlText = str('url');
  if (urlText === undefined) throw new ConfigError('--url is required, e.g. --url http://127.0.0.1:8080/');
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    bad('--url', urlText, 'an absolute http:// or https:// URL such as http://127.0.0.1:8080/');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') bad('--url', urlText, 'an http:// or https:// URL');
  if (str('rps') === undefined) throw new ConfigError('--rps is required: a rate in req/s (e.g. --rps 200) or a comma list (50,100,200)');
  const rps = parseRps('--rps', str('rps'));
  const method = (str('method') ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') bad('--method', str('method'), 'GET or POST');
  const findMaxRps = v['find-max-rps'] === true;
  if (findMaxRps && rps.length !== 1) bad('--rps', str('rps'), 'one starting rate with --find-max-rps');
  if (str('slo') !== undefined && !findMaxRps) throw new ConfigError('--slo only applies with --find-max-rps; add --find-max-rps or drop --slo');
  const slo = str('slo') ?? 'p99<50ms,errors<0.1%';
  try {
    parseSlo(slo);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const warmup = str('warmup');
  return {
    baseUrl: url.origin,
    path: `${url.pathname}${url.search}`,
    method,
    rps,
    durationMs: str('duration') === undefined ? 10_000 : parseDuration('--duration', str('duration')),
    warmupMs: warmup === undefined ? 2_000 : /^0+(ms|s)?$/.test(warmup.trim()) ? 0 : parseDuration('--warmup', warmup),
    connections: int('--connections', str('connections'), 16, 1, 10_000),
    timeoutMs: str('timeout') === undefined ? 10_000 : parseDuration('--timeout', str('timeout')),
    workers: str('workers') === undefined ? undefined : int('--workers', str('workers'), 1, 1, 64),
    seed: int('--seed', str('seed'), 1, 0, 2 ** 31 - 1),
    json: v.json === true,
    findMaxRps,
    slo,
    help,
  };
}

const f = (n: number) => (n >= 100 ? n.toFixed(1) : n.toFixed(3));

/** A wrk2-like summary: rates, errors by class, latency percentiles per request kind. */
export function formatResult(r: LoadResult): string {
  const e = r.total.errors;
  const grpc = Object.entries(e.grpc).map(([code, n]) => ` grpc[${code}] ${n}`).join('');
  const rows = [['', 'requests', 'min', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max']];
  for (const [name, s] of [['total', r.total] as const, ...Object.entries(r.steps)]) {
    const l = s.latencyMs;
    rows.push([name, String(s.requests), f(l.min), f(l.mean), f(l.p50), f(l.p90), f(l.p99), f(l.p999), f(l.max)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const table = rows.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
  const short = r.achievedRps < 0.95 * r.targetRps ? `  SATURATED: achieved < 95% of target; latency is not an overhead figure` : '';
  const es = r.engineStats;
  return [
    `target ${r.targetRps} req/s, achieved ${r.achievedRps.toFixed(1)} req/s over ${r.durationS} s (${r.engine}${es ? `, ${es.connections} connections, ${es.workers} worker(s)` : ''})${short}`,
    `errors ${totalErrors(e)}: connect ${e.connect}, timeout ${e.timeout}, http4xx ${e.http4xx}, http5xx ${e.http5xx}, other ${e.other}${grpc}`,
    `latency in ms, from each request's intended start (coordinated-omission corrected):`,
    table,
    ...(es ? [`engine: send lag p99 ${f(es.sendLagMs.p99)} ms, ${es.lateSends} sends later than one interval, ${es.virtualUsers} virtual users`] : []),
  ].join('\n');
}
