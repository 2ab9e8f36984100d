// npm run up -- --workload W --mesh M [--json]: brings a stack up on the local platform and leaves it running, for
// exploring a mesh by hand and for tests. `npm run down` removes it.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { loadMesh, meshesFor } from '../mesh-impls/index.ts';
import { loadWorkload, WORKLOAD_NAMES } from '../workloads/index.ts';
import { localDriver } from '../clusters/local/driver.ts';
import { newRunId } from '../harness/config.ts';

const HELP = `Usage: npm run up -- --workload ${WORKLOAD_NAMES.join('|')} --mesh MESH [--json]
Brings the workload up under the mesh on the local platform and leaves it running.
Prints pods, their addresses and the entry URL (JSON with --json). Remove it with \`npm run down\`.`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { workload: { type: 'string' }, mesh: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) return void console.log(HELP);
  const workload = await loadWorkload(values.workload ?? 'online-boutique');
  const meshName = values.mesh ?? 'none';
  const mesh = await loadMesh(meshName);
  if (!mesh.supports('local')) throw new Error(`--mesh: ${meshName} does not run on the local platform. Accepted: ${(await meshesFor('local')).join(', ')}.`);
  await localDriver.preflight();
  await localDriver.sweep();
  const runDir = join('reports', 'out', `up-${newRunId()}`);
  const log = values.json ? () => {} : (line: string) => console.log(line);
  const d = await localDriver.deploy(workload, mesh, { runDir, rep: 1, log, detached: true });
  const slot = (d as { stack?: { slot: number } }).stack?.slot;
  const out = { slot, mesh: mesh.name, workload: workload.name, pods: d.pods, entry: d.entryUrl, logs: join(runDir, 'logs') };
  if (values.json) return void console.log(JSON.stringify(out));
  console.log(`\n${workload.name} under ${mesh.name} is up (stack ${slot}, ready in ${(d.install.timeToReadyMs / 1000).toFixed(1)} s):`);
  for (const p of d.pods) console.log(`  ${p.name.padEnd(24)} ${p.ip.padEnd(14)} ${p.ports.join(',')}`);
  console.log(`\nentry: ${d.entryUrl}\nlogs:  ${out.logs}\nstop:  npm run down`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`meshbench up: ${(err as Error).message}`);
    process.exit(1);
  },
);
