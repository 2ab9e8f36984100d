// The bench's configuration: named profile < YAML file < command-line flags. Everything is validated before any
// work starts, and every error names the flag (or YAML key), the value given and what is accepted.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { MESH_NAMES, loadMesh, meshesFor } from '../mesh-impls/index.ts';
import { WORKLOAD_NAMES, loadWorkload } from '../workloads/index.ts';
import type { PlatformName } from '../reports/schema.ts';

export class ConfigError extends Error {}

export const PLATFORMS = ['local', 'kind', 'kubernetes'] as const;
export const PROFILES = {
  quick: { rps: [50, 100], durationMs: 5_000, warmupMs: 2_000, reps: 1, longProbes: false },
  standard: { rps: [50, 100, 200, 400], durationMs: 30_000, warmupMs: 10_000, reps: 3, longProbes: false },
  full: { rps: [50, 100, 200, 400, 800], durationMs: 120_000, warmupMs: 30_000, reps: 5, longProbes: true },
} as const;
export type ProfileName = keyof typeof PROFILES;

export interface BenchConfig {
  platform: PlatformName;
  meshes: string[];
  workload: string;
  rps: number[];
  durationMs: number;
  warmupMs: number;
  reps: number;
  seed: number;
  out: string;
  profile: ProfileName;
  connections: number;
  probes: boolean;
  longProbes: boolean;
  findMaxRps: boolean;
  slo: string;
  dryRun: boolean;
  context?: string;
  resume?: string;
}

/** Flag → help text. The order here is the order of `--help`. */
const FLAGS = {
  platform: { type: 'string', help: `where to run: ${PLATFORMS.join(' | ')} (default local)` },
  meshes: { type: 'string', help: `comma list of ${MESH_NAMES.join(', ')} (default: every mesh that runs on the platform)` },
  workload: { type: 'string', help: `${WORKLOAD_NAMES.join(' | ')} (default online-boutique)` },
  rps: { type: 'string', help: 'comma list of target request rates, e.g. 50,100,200,400' },
  duration: { type: 'string', help: 'measured window per level, e.g. 30s, 2m, 500ms' },
  warmup: { type: 'string', help: 'warm-up before each measured window (discarded), e.g. 10s' },
  reps: { type: 'string', help: 'repetitions of the whole matrix (mesh order is shuffled per repetition)' },
  seed: { type: 'string', help: 'seed for shuffling and the journey (default: random, recorded)' },
  out: { type: 'string', help: 'run folder (default reports/out/<run-id>)' },
  resume: { type: 'string', help: 'finish an interrupted run in DIR, skipping scenarios already recorded' },
  profile: { type: 'string', help: `preset: ${Object.entries(PROFILES).map(([k, p]) => `${k} (rps ${p.rps.join(',')}, ${p.durationMs / 1000}s × ${p.reps})`).join('; ')}` },
  config: { type: 'string', help: 'YAML file with the same keys as these flags' },
  connections: { type: 'string', help: 'keep-alive connections of the load generator (default 32)' },
  'find-max-rps': { type: 'boolean', help: 'search for the highest rate that meets --slo, per mesh' },
  slo: { type: 'string', help: 'SLO for --find-max-rps, e.g. "p99<50ms,errors<0.1%" (default)' },
  'no-probes': { type: 'boolean', help: 'skip the security probes after each mesh' },
  'dry-run': { type: 'boolean', help: 'kind/kubernetes: print every command and manifest, touch nothing' },
  context: { type: 'string', help: 'kubernetes: the kubeconfig context to use' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

export function helpText(): string {
  const lines = Object.entries(FLAGS).map(([name, f]) => `  --${name.padEnd(14)} ${f.help}`);
  return [
    'Usage: npm run bench -- [flags]',
    '',
    'Benchmarks service meshes side by side: deploys the workload under each mesh, drives the same load and security',
    'probes through each, and writes results.json plus an HTML report to the run folder.',
    '',
    ...lines,
    '',
    'Examples:',
    '  npm run bench -- --workload pingpong --profile quick',
    '  npm run bench -- --meshes none,custom --rps 25,50 --duration 30s',
    '  npm run bench -- --resume reports/out/2026-11-27T00-00-00Z',
  ].join('\n');
}

type RawOptions = Partial<Record<keyof typeof FLAGS, string | boolean>>;

export function parseFlags(argv: string[]): RawOptions {
  const options = Object.fromEntries(Object.entries(FLAGS).map(([k, f]) => [k, { type: f.type }])) as Record<string, { type: 'string' | 'boolean' }>;
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as RawOptions;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.replace(/\.?\s*To specify an option argument.*$/s, '')}.\nRun \`npm run bench -- --help\` for the accepted flags.`);
  }
}

/** Stops with a message that names the flag, the value given and what is accepted. */
export function bad(flag: string, value: unknown, accepted: string): never {
  throw new ConfigError(`${flag}: ${JSON.stringify(value)} is not accepted. Accepted: ${accepted}.`);
}

/** "30s", "2m", "500ms", "1h", or a bare number of seconds. */
export function parseDuration(flag: string, value: unknown): number {
  const s = String(value).trim();
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s);
  if (!m) bad(flag, value, 'a duration such as 500ms, 30s, 2m or 1h (a bare number means seconds)');
  const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  if (ms <= 0) bad(flag, value, 'a duration greater than zero');
  return ms;
}

function parseList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v).trim());
  return String(value)
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

export function parseRps(flag: string, value: unknown): number[] {
  const items = parseList(value);
  const accepted = 'a comma-separated list of positive request rates (req/s), e.g. 50,100,200,400';
  if (items.length === 0) bad(flag, value, accepted);
  const rates = items.map((i) => (/^\d+(\.\d+)?$/.test(i) ? Number(i) : NaN));
  if (rates.some((r) => !Number.isFinite(r) || r <= 0 || r > 100_000)) bad(flag, value, `${accepted} (each at most 100000)`);
  if (new Set(rates).size !== rates.length) bad(flag, value, `${accepted}, without repeats`);
  return rates;
}

function parsePositiveInt(flag: string, value: unknown, max: number): number {
  const s = String(value).trim();
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > max) bad(flag, value, `a whole number from 1 to ${max}`);
  return Number(s);
}

const YAML_KEYS = new Set(Object.keys(FLAGS).filter((k) => k !== 'help' && k !== 'config' && k !== 'resume'));

function readYaml(file: string): RawOptions {
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`--config: cannot read ${file}: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`--config: ${file} must be a YAML mapping of flag names to values.`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!YAML_KEYS.has(key)) throw new ConfigError(`--config: ${file} has unknown key "${key}". Accepted keys: ${[...YAML_KEYS].join(', ')}.`);
    out[key] = Array.isArray(value) ? value.join(',') : value;
  }
  return out as RawOptions;
}

export function newRunId(now = new Date()): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

/** Turns flags (and the YAML file they name) into a validated BenchConfig. */
export async function resolveConfig(raw: RawOptions, now = new Date()): Promise<BenchConfig> {
  const opts: RawOptions = { ...(raw.config ? readYaml(String(raw.config)) : {}), ...raw };
  const profileName = (opts.profile ?? 'standard') as string;
  if (!(profileName in PROFILES)) bad('--profile', profileName, Object.keys(PROFILES).join(', '));
  const profile = PROFILES[profileName as ProfileName];

  const platform = (opts.platform ?? 'local') as string;
  if (!(PLATFORMS as readonly string[]).includes(platform)) bad('--platform', platform, PLATFORMS.join(', '));

  const available = await meshesFor(platform as PlatformName);
  let meshes = available;
  if (opts.meshes !== undefined) {
    meshes = parseList(opts.meshes);
    if (meshes.length === 0) bad('--meshes', opts.meshes, `a comma-separated list of ${MESH_NAMES.join(', ')}`);
    for (const m of meshes) {
      if (!(MESH_NAMES as readonly string[]).includes(m)) bad('--meshes', m, MESH_NAMES.join(', '));
      let supported = false;
      try {
        supported = (await loadMesh(m)).supports(platform as PlatformName);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
      }
      if (!supported) bad('--meshes', m, `meshes that run on --platform ${platform}: ${available.join(', ') || '(none built yet)'}`);
    }
    if (new Set(meshes).size !== meshes.length) bad('--meshes', opts.meshes, 'each mesh at most once');
  }

  let workload = opts.workload as string | undefined;
  if (workload === undefined) {
    workload = 'online-boutique';
    try {
      await loadWorkload(workload);
    } catch {
      workload = 'pingpong'; // until Online Boutique's local services exist
    }
  } else if (!(WORKLOAD_NAMES as readonly string[]).includes(workload)) {
    bad('--workload', workload, WORKLOAD_NAMES.join(', '));
  }

  const seed = opts.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(opts.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 31) bad('--seed', opts.seed, 'a whole number from 0 to 2147483647');

  const slo = (opts.slo as string | undefined) ?? 'p99<50ms,errors<0.1%';
  const config: BenchConfig = {
    platform: platform as PlatformName,
    meshes,
    workload,
    rps: opts.rps === undefined ? [...profile.rps] : parseRps('--rps', opts.rps),
    durationMs: opts.duration === undefined ? profile.durationMs : parseDuration('--duration', opts.duration),
    warmupMs: opts.warmup === undefined ? profile.warmupMs : parseDuration('--warmup', opts.warmup),
    reps: opts.reps === undefined ? profile.reps : parsePositiveInt('--reps', opts.reps, 100),
    seed,
    out: (opts.out as string | undefined) ?? join('reports', 'out', newRunId(now)),
    profile: profileName as ProfileName,
    connections: opts.connections === undefined ? 32 : parsePositiveInt('--connections', opts.connections, 10_000),
    probes: !opts['no-probes'],
    longProbes: profile.longProbes,
    findMaxRps: Boolean(opts['find-max-rps']),
    slo,
    dryRun: Boolean(opts['dry-run']),
    context: opts.context as string | undefined,
  };
  if (meshes.length === 0) bad('--meshes', '', `at least one mesh that runs on --platform ${platform}`);
  if (config.dryRun && platform === 'local') bad('--dry-run', true, 'only with --platform kind or kubernetes (the local platform runs for real)');
  if (config.context && platform !== 'kubernetes') bad('--context', config.context, 'only with --platform kubernetes');
  if (opts.slo !== undefined && !config.findMaxRps) bad('--slo', opts.slo, 'only together with --find-max-rps');
  return config;
}
