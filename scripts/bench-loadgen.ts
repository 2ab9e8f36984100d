// npm run bench:loadgen — what the built-in load engine itself costs and how low it can measure.
// 1. CPU per 1,000 req/s: the engine (worker threads of this process; the server runs in a child process) drives a
//    trivial local server at each rate; process CPU over the measured window ÷ wall time ÷ (achieved rate / 1000).
//    Target: ≤ 0.25 cores per 1,000 req/s (HTTP/1.1 keep-alive).
// 2. Latency floor: the same server measured by the engine (open model, from intended start) and by wrk (Debian's
//    wrk: closed loop, from actual send — wrk2's constant-rate mode is not packaged), printed side by side.
// Flags: --rates 1000,2000 --duration 10s --floor-rps 200 --connections 4 --json. Only 127.0.0.1 is used.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDuration, parseRps } from '../harness/config.ts';
import { createBuiltinEngine } from '../workloads/load/engine.ts';
import { singleRequestJourney } from '../workloads/load/journey.ts';
import type { LoadResult } from '../workloads/load/types.ts';

const { values: flags } = parseArgs({
  options: {
    rates: { type: 'string', default: '1000,2000' },
    duration: { type: 'string', default: '10s' },
    'floor-rps': { type: 'string', default: '200' },
    connections: { type: 'string', default: '4' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});
const rates = parseRps('--rates', flags.rates);
const durationMs = parseDuration('--duration', flags.duration);
const floorRps = parseRps('--floor-rps', flags['floor-rps'])[0];
const connections = Number(flags.connections);
const log = (s: string) => process.stderr.write(`${s}\n`);

async function startServer(): Promise<{ url: string; stop: () => void; pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../workloads/load/serve.ts', import.meta.url)), '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(String(d).trim()));
    child.once('exit', (code) => reject(new Error(`test server exited with ${code}`)));
  });
  return { url, pid: child.pid!, stop: () => child.stdin.end() };
}

/** Runs the engine while sampling this process's CPU; returns CPU cores used over the measured window. */
async function measureCpu(url: string, rps: number): Promise<{ result: LoadResult; cores: number }> {
  const samples: Array<[number, number]> = [];
  const sample = () => {
    const u = process.cpuUsage();
    samples.push([Date.now(), (u.user + u.system) / 1e6]);
  };
  const timer = setInterval(sample, 250);
  try {
    const result = await createBuiltinEngine().run({ baseUrl: url, journey: singleRequestJourney('/'), rps, durationMs, warmupMs: 2000, connections });
    sample();
    const inWindow = samples.filter(([t]) => t >= result.measureStartedAt && t <= result.measureEndedAt);
    const [t0, c0] = inWindow[0];
    const [t1, c1] = inWindow[inWindow.length - 1];
    return { result, cores: (c1 - c0) / ((t1 - t0) / 1000) };
  } finally {
    clearInterval(timer);
  }
}

interface WrkResult {
  requestsPerSec: number;
  p50: number;
  p75: number;
  p90: number;
  p99: number;
  version: string;
}

function runWrk(url: string, seconds: number): WrkResult | { error: string } {
  const version = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (version.error) return { error: 'wrk is not installed (Debian package `wrk`)' };
  const run = spawnSync('wrk', ['-t1', '-c1', `-d${seconds}s`, '--latency', url], { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  if (run.status !== 0) return { error: `wrk failed: ${run.stderr || run.stdout}` };
  const ms = (v: string, unit: string) => Number(v) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? NaN);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(run.stdout);
    return m ? ms(m[1], m[2]) : NaN;
  };
  return {
    requestsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(run.stdout)?.[1] ?? NaN),
    p50: pct('50'),
    p75: pct('75'),
    p90: pct('90'),
    p99: pct('99'),
    version: (version.stdout || version.stderr).split('\n')[0].trim(),
  };
}

const server = await startServer();
try {
  log(`trivial server (separate process, pid ${server.pid}) at ${server.url}; ${durationMs / 1000}s windows, ${connections} connections`);
  // wrk first: it also warms the server's JIT, so neither tool measures a cold server.
  log(`wrk -t1 -c1 -d${durationMs / 1000}s --latency…`);
  const wrk = runWrk(`${server.url}/`, Math.round(durationMs / 1000));
  log(`engine latency floor at ${floorRps} req/s…`);
  const floor = await createBuiltinEngine().run({ baseUrl: server.url, journey: singleRequestJourney('/'), rps: floorRps, durationMs, warmupMs: 2000, connections });
  const cpu = [];
  for (const rps of rates) {
    log(`engine CPU at ${rps} req/s…`);
    const { result, cores } = await measureCpu(server.url, rps);
    cpu.push({ targetRps: rps, achievedRps: result.achievedRps, cores, coresPer1k: cores / (result.achievedRps / 1000), p50Ms: result.total.latencyMs.p50, p99Ms: result.total.latencyMs.p99 });
  }
  const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim();

  if (flags.json) {
    console.log(JSON.stringify({ cpu, floor: { engine: floor.total.latencyMs, sendLagMs: floor.engineStats?.sendLagMs, achievedRps: floor.achievedRps }, wrk, loadavg: load }, null, 2));
  } else {
    const f = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : 'n/a');
    console.log(`\nEngine CPU (target ≤ 0.25 cores per 1,000 req/s, HTTP/1.1 keep-alive, ${connections} connections)`);
    console.log('  target req/s  achieved  cores   cores/1k req/s  p50 ms  p99 ms  target');
    for (const c of cpu) {
      console.log(`  ${String(c.targetRps).padStart(12)}  ${c.achievedRps.toFixed(0).padStart(8)}  ${c.cores.toFixed(3)}  ${c.coresPer1k.toFixed(3).padStart(14)}  ${f(c.p50Ms).padStart(6)}  ${f(c.p99Ms).padStart(6)}  ${c.coresPer1k <= 0.25 ? 'met' : 'missed'}${c.achievedRps < 0.95 * c.targetRps ? ' (saturated)' : ''}`);
    }
    console.log(`\nLatency floor on the same server, same run (ms)`);
    console.log(`  ${'tool'.padEnd(44)} p50     p90     p99`);
    const e = floor.total.latencyMs;
    console.log(`  ${`meshbench engine, ${floorRps} req/s open model, ${connections} conn`.padEnd(44)} ${f(e.p50)}   ${f(e.p90)}   ${f(e.p99)}`);
    if ('error' in wrk) console.log(`  wrk: ${wrk.error}`);
    else console.log(`  ${`wrk -t1 -c1 closed loop (${wrk.requestsPerSec.toFixed(0)} req/s)`.padEnd(44)} ${f(wrk.p50)}   ${f(wrk.p90)}   ${f(wrk.p99)}`);
    if (floor.engineStats) console.log(`  engine send lag (intended start → handed to the pool): p50 ${f(floor.engineStats.sendLagMs.p50)}, p99 ${f(floor.engineStats.sendLagMs.p99)}`);
    console.log(`  (wrk2, the constant-rate fork, is not packaged in Debian; wrk measures back-to-back from actual send.)`);
    console.log(`  host load average during the run: ${load}`);
  }
} finally {
  server.stop();
}
