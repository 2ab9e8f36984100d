// Entry of the init container (`node /app/mesh-init.mjs --rules '<json>'`): applies the interception rules the
// injector computed (iptables.ts), in the pod's network namespace, then exits. Idempotent: if the pod restarts its
// init containers in the same sandbox, the existing chains are kept and nothing is added twice.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { OUTBOUND_CHAIN } from '../iptables.ts';

const { values } = parseArgs({ options: { rules: { type: 'string' }, iptables: { type: 'string', default: process.env.MESH_IPTABLES ?? 'iptables' } } });
let rules: string[][];
try {
  rules = JSON.parse(values.rules ?? '');
  if (!Array.isArray(rules) || !rules.every((r) => Array.isArray(r) && r.every((a) => typeof a === 'string'))) throw new Error('not a list of argv lists');
} catch (err) {
  console.error(`mesh-init: --rules must be a JSON list of iptables argv lists (${(err as Error).message})`);
  process.exit(2);
}
const ipt = values.iptables!;
const run = (args: string[]) => execFileSync(ipt, ['-w', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
try {
  run(['-t', 'nat', '-S', OUTBOUND_CHAIN]);
  console.log(`mesh-init: chain ${OUTBOUND_CHAIN} exists; interception already set up`);
} catch {
  for (const rule of rules) {
    try {
      run(rule);
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      console.error(`mesh-init: ${ipt} ${rule.join(' ')} failed: ${(e.stderr ?? e.message).trim()}\nThe init container needs NET_ADMIN and NET_RAW; on nft-only nodes set MESH_IPTABLES=iptables-nft, on legacy ones iptables-legacy.`);
      process.exit(1);
    }
  }
  console.log(`mesh-init: ${rules.length} rules installed`);
}
console.log(run(['-t', 'nat', '-S']).trim());
