// Benchmark, not a test: how long the report takes to build for 4 meshes × 5 levels × 5 reps, and how big it is.
// Targets (issue 7): under 5 s, index.html under 3 MB.   Run: npx tsx reports/bench-build.ts [reps]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport } from './build.ts';
import { generateResults } from './fixtures.ts';

const reps = Number(process.argv[2] ?? 5);
const results = generateResults({ seed: 1, reps });
const dir = mkdtempSync(join(tmpdir(), 'meshbench-bench-report-'));
try {
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const files = await buildReport(results, dir);
    times.push(performance.now() - t);
    size = statSync(files.index).size;
  }
  const input = Buffer.byteLength(JSON.stringify(results));
  console.log(`input: ${results.scenarios.length} scenarios (4 meshes × 5 levels × ${reps} reps), results.json ${(input / 1024).toFixed(0)} KiB`);
  console.log(`build: ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')} (first includes loading vega builds; target < 5000 ms)`);
  console.log(`index.html: ${(size / 1024).toFixed(0)} KiB (target < 3072 KiB)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
