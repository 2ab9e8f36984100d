// npm run report -- DIR                      re-render DIR/index.html, summary.md, smp.json from DIR's results
// npm run report -- --compare DIR_A DIR_B    what changed from A to B beyond the noise (the nightly regression view)
// npm run report -- --merge DIR… --out OUT   one report over several runs (each row keeps its platform)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport } from '../reports/build.ts';
import { compareResults, renderComparison } from '../reports/compare.ts';
import { readResultsDir } from '../reports/load.ts';
import { mergeRuns } from '../reports/merge.ts';
import { DEFAULT_FACTS, DEFAULT_SCORECARD, loadFacts, loadScorecard } from '../reports/scorecard.ts';

const HELP = `Usage:
  npm run report -- DIR [--out OUT]                 re-render the report of a run folder (default: into DIR)
  npm run report -- --compare DIR_A DIR_B [--out OUT] [--fail-on-regression] [--threshold 0.1]
                                                    changes from A to B beyond the noise; writes OUT/compare.md and compare.json
  npm run report -- --merge DIR... --out OUT        one report over several runs
Options:
  --scorecard FILE   criteria and weights (default ${DEFAULT_SCORECARD})
  --facts FILE       documented, unmeasured facts with sources (default ${DEFAULT_FACTS})
  --fail-on-regression   exit 1 when --compare finds a regression
Exit codes: 0 done, 1 regression found (with --fail-on-regression), 2 bad input.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      compare: { type: 'boolean', default: false }, merge: { type: 'boolean', default: false }, out: { type: 'string' },
      'fail-on-regression': { type: 'boolean', default: false }, threshold: { type: 'string' },
      scorecard: { type: 'string' }, facts: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) { console.log(HELP); return 0; }
  const opts = { scorecard: loadScorecard(values.scorecard ?? DEFAULT_SCORECARD), facts: loadFacts(values.facts ?? DEFAULT_FACTS) };
  const load = (dir: string) => {
    const loaded = readResultsDir(dir);
    for (const w of loaded.warnings) console.error(`warning: ${w}`);
    return loaded.results;
  };

  if (values.compare) {
    if (positionals.length !== 2) throw new UsageError(`--compare takes exactly two run folders (old, new); got ${positionals.length}.`);
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(threshold >= 0 && threshold < 10)) throw new UsageError(`--threshold ${values.threshold}: expected a relative change such as 0.1 (10 %).`);
    const [before, after] = positionals.map(load);
    const comparison = compareResults(before, after, { threshold });
    const text = renderComparison(comparison, before, after);
    console.log(text);
    if (values.out) {
      mkdirSync(values.out, { recursive: true });
      writeFileSync(join(values.out, 'compare.md'), text);
      writeFileSync(join(values.out, 'compare.json'), `${JSON.stringify(comparison, null, 2)}\n`);
      console.log(`comparison: ${resolve(values.out, 'compare.md')}`);
    }
    return values['fail-on-regression'] && comparison.regressions > 0 ? 1 : 0;
  }

  if (values.merge) {
    if (positionals.length < 2) throw new UsageError(`--merge takes two or more run folders; got ${positionals.length}.`);
    if (!values.out) throw new UsageError('--merge needs --out OUT: the folder for the merged report.');
    const merged = mergeRuns(positionals.map(load), `npm run report -- --merge ${positionals.join(' ')} --out ${values.out}`);
    mkdirSync(values.out, { recursive: true });
    writeFileSync(join(values.out, 'results.json'), `${JSON.stringify(merged, null, 2)}\n`);
    const files = await buildReport(merged, values.out, opts);
    console.log(`report: ${files.index}\nsummary: ${files.summary}\nsmp: ${files.smp}`);
    return 0;
  }

  if (positionals.length !== 1) throw new UsageError(`expected one run folder; got ${positionals.length}.`);
  const results = load(positionals[0]);
  const files = await buildReport(results, values.out ?? positionals[0], opts);
  console.log(`report: ${files.index}\nsummary: ${files.summary}\nsmp: ${files.smp}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`meshbench report: ${(err as Error).message}${err instanceof UsageError ? `\n\n${HELP}` : ''}`);
    process.exit(2);
  },
);
