// npm run load -- --url URL --rps N --duration D [--connections C] [--json]
// Loads any HTTP endpoint on an open-model schedule with the built-in engine (see workloads/load/engine.ts).
// Exit codes: 0 done, 1 the load failed, 2 bad input.
import { ConfigError } from '../harness/config.ts';
import { formatResult, loadHelp, parseLoadArgs, type LoadCliOptions } from '../workloads/load/cli.ts';
import { createBuiltinEngine } from '../workloads/load/engine.ts';
import { singleRequestJourney } from '../workloads/load/journey.ts';
import { findMaxRps } from '../workloads/load/max-rps.ts';
import type { LoadProgress, LoadResult } from '../workloads/load/types.ts';

async function main(o: LoadCliOptions): Promise<void> {
  const engine = createBuiltinEngine({ workers: o.workers });
  const journey = singleRequestJourney(o.path, o.method);
  const run = (rps: number): Promise<LoadResult> => {
    if (!o.json) process.stderr.write(`${rps} req/s: ${o.warmupMs / 1000}s warm-up + ${o.durationMs / 1000}s measured…\n`);
    // A live progress line on a terminal only, so piped output stays clean.
    const onProgress = process.stderr.isTTY
      ? (p: LoadProgress) => process.stderr.write(`\r  ${p.phase} ${(p.elapsedMs / 1000).toFixed(0)}/${p.totalMs / 1000}s, ${p.sent} sent, ${p.errors} errors  `)
      : undefined;
    return engine
      .run({ baseUrl: o.baseUrl, journey, rps, durationMs: o.durationMs, warmupMs: o.warmupMs, connections: o.connections, timeoutMs: o.timeoutMs, seed: o.seed, onProgress })
      .finally(() => onProgress && process.stderr.write('\n'));
  };
  if (o.findMaxRps) {
    const results: LoadResult[] = [];
    const outcome = await findMaxRps({ slo: o.slo, startRps: o.rps[0], measure: async (rps) => { const r = await run(rps); results.push(r); return r; } });
    if (o.json) return console.log(JSON.stringify({ ...outcome, results }, null, 2));
    for (const s of outcome.steps) console.log(`${String(s.rps).padStart(7)} req/s  ${s.met ? 'met   ' : 'missed'}  ${s.reason}`);
    console.log(`highest rate meeting "${o.slo}": ${outcome.maxRps ?? 'none'} req/s (${outcome.steps.length} steps)`);
    return;
  }
  const results: LoadResult[] = [];
  for (const rps of o.rps) {
    const r = await run(rps);
    results.push(r);
    if (!o.json) console.log(`${formatResult(r)}\n`);
  }
  if (o.json) console.log(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
}

try {
  const options = parseLoadArgs(process.argv.slice(2));
  if (options.help) console.log(loadHelp());
  else await main(options);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`npm run load: ${err.message}`);
    process.exit(2);
  }
  console.error(`npm run load: ${(err as Error).stack ?? err}`);
  process.exit(1);
}
