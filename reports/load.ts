// Reads a run folder into validated Results: results.json when present, else the NDJSON records merged with the
// run's metadata (run.json), the way the bench itself merges them.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NDJSON, RESULTS, RUN_FILE, mergeResults, readRecords, readRunFile } from '../harness/results-store.ts';
import { parseResults, type Results } from './schema.ts';

export interface Loaded { results: Results; source: string; warnings: string[] }

export function readResultsDir(path: string): Loaded {
  if (!existsSync(path)) throw new Error(`${path}: no such file or folder. Fix: pass a run folder written by \`npm run bench\` (reports/out/<run-id>) or its results.json.`);
  const file = statSync(path).isDirectory() ? join(path, RESULTS) : path;
  if (existsSync(file)) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file} is not valid JSON (${(err as Error).message}). Fix: re-create it from results.ndjson by removing it and running \`npm run report -- ${path}\`.`);
    }
    return { results: parseResults(data, file), source: file, warnings: [] };
  }
  if (existsSync(join(path, NDJSON))) {
    if (!existsSync(join(path, RUN_FILE))) throw new Error(`${path} has ${NDJSON} but no ${RUN_FILE} (the run's metadata). Fix: pass the whole run folder the bench wrote.`);
    const { records, dropped } = readRecords(path);
    const warnings = dropped.map((d) => `${NDJSON} line ${d.line} dropped: ${d.reason}`);
    return { results: mergeResults(readRunFile(path), records), source: join(path, NDJSON), warnings };
  }
  throw new Error(`${path} has neither ${RESULTS} nor ${NDJSON}. Fix: pass the folder a bench run wrote (reports/out/<run-id>).`);
}
