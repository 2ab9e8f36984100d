// npm run down [-- --slot N]: removes stacks left running by `npm run up` (all of them, or one), plus anything a
// killed run left behind.
import { parseArgs } from 'node:util';
import { listStates } from '../clusters/local/state.ts';
import { sweepStale, teardownState } from '../clusters/local/stack.ts';
import { requireRoot } from '../clusters/local/sys.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { slot: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) return void console.log('Usage: npm run down [-- --slot N]\nRemoves the stacks `npm run up` left running (or only stack N), and leftovers of killed runs.');
  requireRoot('npm run down');
  const states = listStates().filter((s) => s.detached && (values.slot === undefined || s.slot === Number(values.slot)));
  if (values.slot !== undefined && states.length === 0) throw new Error(`--slot: no stack ${values.slot} left by \`npm run up\`. Running: ${listStates().filter((s) => s.detached).map((s) => s.slot).join(', ') || 'none'}.`);
  for (const s of states) {
    await teardownState(s);
    console.log(`removed stack ${s.slot} (${String(s.info.workload ?? '?')} under ${String(s.info.mesh ?? '?')})`);
  }
  const stale = await sweepStale();
  if (stale.length) console.log(`removed leftovers of killed runs: stack(s) ${stale.join(', ')}`);
  if (!states.length && !stale.length) console.log('nothing to remove');
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`meshbench down: ${(err as Error).message}`);
    process.exit(1);
  },
);
