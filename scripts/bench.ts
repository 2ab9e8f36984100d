// npm run bench — the main job. Validates everything first, removes what a killed run left, runs the matrix,
// writes results.json and the report, and prints a summary. Exit codes: 0 all measured, 1 something failed
// (recorded in the results), 2 bad input.
import { ConfigError, helpText, parseFlags, resolveConfig, type BenchConfig } from '../harness/config.ts';
import { newMeta, platformDriver, runBench } from '../harness/run.ts';
import { readRunFile } from '../harness/results-store.ts';
import { runCleanup } from '../harness/cleanup.ts';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Results } from '../reports/schema.ts';

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    console.log(helpText());
    return 0;
  }
  let config: BenchConfig;
  let meta;
  if (flags.resume) {
    const dir = String(flags.resume);
    const others = Object.keys(flags).filter((k) => k !== 'resume');
    if (others.length) throw new ConfigError(`--resume continues a run with the config it started with; drop --${others.join(', --')}.`);
    meta = readRunFile(dir);
    config = { ...(meta.config as unknown as BenchConfig), out: dir, resume: dir };
  } else {
    config = await resolveConfig(flags);
  }
  const driver = await platformDriver(config);
  if (config.dryRun) {
    const { dryRunPlan } = await import('../clusters/kubernetes/driver.ts');
    console.log(await dryRunPlan(config));
    return 0;
  }
  await driver.preflight();
  await driver.sweep();
  meta ??= await newMeta(config, driver, argv, config.out.split('/').pop()!);
  console.log(`meshbench: ${config.platform} platform, meshes ${config.meshes.join(', ')}, workload ${config.workload}, rps ${config.rps.join(',')}, ` +
    `${config.durationMs / 1000}s windows after ${config.warmupMs / 1000}s warm-up, ${config.reps} rep(s), seed ${config.seed}\nrun folder: ${config.out}`);
  const outcome = await runBench(config, meta, driver);
  try {
    await printReport(outcome.results, outcome.dir);
  } catch (err) {
    console.error(`\nThe report could not be built: ${(err as Error).message}\nEvery measurement is safe in ${outcome.dir}/results.json; re-render with \`npm run report -- ${outcome.dir}\`.`);
    return 1;
  }
  if (outcome.missing.length || outcome.results.failures.length) {
    console.error(`\n${outcome.results.failures.length} failure(s) recorded; ${outcome.missing.length} scenario(s) without a result. They are in the report.`);
    return 1;
  }
  return 0;
}

/** Builds the HTML report and prints the terminal summary, once the report builder exists. */
async function printReport(results: Results, dir: string): Promise<void> {
  const builder = fileURLToPath(new URL('../reports/build.ts', import.meta.url));
  if (!existsSync(builder)) {
    console.log(`\nresults: ${dir}/results.json (${results.scenarios.length} scenarios, ${results.probes.length} probe results)`);
    return;
  }
  const { buildReport, terminalSummary } = await import('../reports/build.ts');
  const files = await buildReport(results, dir);
  console.log(`\n${terminalSummary(results)}\n\nreport: ${files.index}\nresults: ${dir}/results.json`);
}

main(process.argv.slice(2))
  .then(async (code) => {
    await runCleanup();
    process.exit(code);
  })
  .catch(async (err) => {
    await runCleanup();
    console.error(`\nmeshbench: ${err instanceof ConfigError ? '' : 'error: '}${(err as Error).message}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  });
