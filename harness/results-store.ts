// The run folder's evidence: results.ndjson gets one line per finished record, written and fsynced at once, so a
// SIGKILL loses at most the record being written (a torn last line, which the reader drops). results.json is the
// validated merge with the run's metadata.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ResultRecord, SCHEMA_VERSION, parseResults, type Results, type RunMeta } from '../reports/schema.ts';

export const NDJSON = 'results.ndjson';
export const RESULTS = 'results.json';
export const RUN_FILE = 'run.json';

export class ResultsStore {
  private readonly fd: number;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, NDJSON);
    this.fd = openSync(file, 'a');
    // A run killed mid-write leaves a torn last line: end it, so the next record starts on a line of its own.
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (text.length > 0 && !text.endsWith('\n')) writeSync(this.fd, '\n');
  }

  /** Appends one record and forces it to disk before returning. */
  append(record: ResultRecord): void {
    const line = `${JSON.stringify(ResultRecord.parse(record))}\n`;
    writeSync(this.fd, line);
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}

export interface ReadRecords {
  records: ResultRecord[];
  /** Lines that could not be parsed (a torn last line after a kill); reported, never fatal. */
  dropped: { line: number; text: string; reason: string }[];
}

/** Reads results.ndjson, keeping every valid record and reporting the ones it drops. */
export function readRecords(dir: string): ReadRecords {
  const file = join(dir, NDJSON);
  if (!existsSync(file)) return { records: [], dropped: [] };
  const records: ResultRecord[] = [];
  const dropped: ReadRecords['dropped'] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text.trim()) return;
      try {
        const parsed = ResultRecord.safeParse(JSON.parse(text));
        if (parsed.success) records.push(parsed.data);
        else dropped.push({ line: i + 1, text: text.slice(0, 200), reason: parsed.error.issues[0]?.message ?? 'invalid' });
      } catch (err) {
        dropped.push({ line: i + 1, text: text.slice(0, 200), reason: (err as Error).message });
      }
    });
  return { records, dropped };
}

/** Merges records into a Results document. A scenario recorded twice (a resumed run redoing it) keeps the last. */
export function mergeResults(meta: RunMeta, records: readonly ResultRecord[]): Results {
  const scenarios = new Map<string, Extract<ResultRecord, { type: 'scenario' }>>();
  const results: Results = { schemaVersion: SCHEMA_VERSION, meta, scenarios: [], probes: [], installs: [], failures: [], maxRps: [] };
  for (const r of records) {
    if (r.type === 'scenario') scenarios.set(r.maxRpsSearchStep === undefined ? r.id : `${r.id}#${r.maxRpsSearchStep}`, r);
    else if (r.type === 'probe') results.probes.push(r);
    else if (r.type === 'install') results.installs.push(r);
    else if (r.type === 'failure') results.failures.push(r);
    else results.maxRps.push(r);
  }
  results.scenarios = [...scenarios.values()];
  return parseResults(results, 'merged results');
}

/** Writes results.json atomically (temp file + rename) after validating it. */
export function writeResults(dir: string, results: Results): string {
  const file = join(dir, RESULTS);
  const valid = parseResults(results, file);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(valid, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return file;
}

/** The run's identity and config, written at start so `--resume` can continue it. */
export function writeRunFile(dir: string, meta: RunMeta): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, RUN_FILE), `${JSON.stringify(meta, null, 2)}\n`);
}

export function readRunFile(dir: string): RunMeta {
  const file = join(dir, RUN_FILE);
  if (!existsSync(file)) throw new Error(`--resume: ${dir} has no ${RUN_FILE}; it is not a meshbench run folder. Fix: pass the folder a bench run wrote (reports/out/<run-id>).`);
  return JSON.parse(readFileSync(file, 'utf8')) as RunMeta;
}
