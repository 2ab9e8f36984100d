// npm run probe -- --mesh M [--slot N] [--only id,…] [--policy default|strict] [--long] [--json] [--out FILE]
// Runs the security probes against the stack `npm run up -- --mesh M` left running and prints the results matrix.
import { parseArgs } from 'node:util';
import { appendFileSync } from 'node:fs';
import { requireRoot } from '../clusters/local/sys.ts';
import { PROBE_IDS, formatMatrix, runProbes } from '../probes/index.ts';
import { contextFromUpStack } from '../probes/local/context.ts';
import type { PolicyProfile } from '../probes/types.ts';

const HELP = `Usage: npm run probe -- --mesh MESH [--slot N] [--only ID,…] [--policy default|strict] [--long] [--json] [--out FILE]
Runs meshbench's security probes against the stack \`npm run up -- --mesh MESH\` left running.
  --slot     which stack, when several run with that mesh (default: the newest)
  --only     probe ids, comma-separated: ${PROBE_IDS.join(', ')}
  --policy   profile for the probes that do not choose their own (default: the mesh's default policy).
             plaintext-rejected always runs under both default and strict; authz-least-privilege under least-privilege.
  --long     include cert-rotation (waits for a certificate renewal; minutes)
  --json     print the ProbeRecords as JSON instead of the matrix
  --out      also append each ProbeRecord to FILE as NDJSON (results.ndjson format)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      mesh: { type: 'string' },
      only: { type: 'string' },
      policy: { type: 'string' },
      long: { type: 'boolean' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      slot: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void console.log(HELP), 0;
  if (!values.mesh) throw new Error('--mesh is required (the mesh of a stack brought up with `npm run up`). See --help.');
  const profile = (values.policy ?? 'default') as PolicyProfile;
  if (!['default', 'strict'].includes(profile)) throw new Error(`--policy: "${values.policy}" is not accepted. Accepted: default, strict.`);
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = (only ?? []).filter((id) => !PROBE_IDS.includes(id));
  if (unknown.length) throw new Error(`--only: unknown probe id(s) ${unknown.join(', ')}. Accepted: ${PROBE_IDS.join(', ')}.`);
  requireRoot('npm run probe');
  const log = values.json ? undefined : (line: string) => console.error(`· ${line}`);
  const slot = values.slot === undefined ? undefined : Number(values.slot);
  if (slot !== undefined && !Number.isInteger(slot)) throw new Error(`--slot: "${values.slot}" is not a stack number (see \`npm run up\` output).`);
  const ctx = await contextFromUpStack(values.mesh, { slot, log });
  const records = await runProbes(ctx, {
    only,
    long: values.long,
    profile,
    onRecord: (r) => values.out && appendFileSync(values.out, `${JSON.stringify(r)}\n`),
  });
  console.log(values.json ? JSON.stringify(records, null, 2) : formatMatrix(records));
  return records.some((r) => r.outcome === 'error') ? 2 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`meshbench probe: ${(err as Error).message}`);
    process.exit(1);
  },
);
