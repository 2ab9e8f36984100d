// Runs every *.test.ts in the repository with Node's test runner, one file at a time (the tests start real
// processes and namespaces on a 2-core machine). `npm test -- PATH…` runs only the files under the given paths.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SKIP_DIRS = new Set(['node_modules', '.git', 'out', 'build', 'test-artifacts']);

function findTests(dir: string, found: string[] = []): string[] {
  if (statSync(dir).isFile()) return dir.endsWith('.test.ts') ? [...found, dir] : found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !SKIP_DIRS.has(entry.name)) findTests(join(dir, entry.name), found);
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(join(dir, entry.name));
  }
  return found;
}

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['.'];
const files = roots.flatMap((r) => findTests(resolve(r))).sort();
if (files.length === 0) {
  console.error(`No *.test.ts files under ${roots.join(', ')}`);
  process.exit(1);
}
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
