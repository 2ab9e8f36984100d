// `npx tsx mesh-impls/custom/k8s/main/cli.ts <check|stat|edges> [--kubeconfig F] [--context C] [--json]
// [--window-ms N] [--kubectl PATH]`: the mesh CLI against a cluster, until scripts/mesh.ts routes to it.
import { parseArgs } from 'node:util';
import { runKubeCommand } from '../cli.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    kubectl: { type: 'string' },
    json: { type: 'boolean', default: false },
    'window-ms': { type: 'string' },
  },
});
const command = positionals[0];
if (!command || !['check', 'stat', 'edges'].includes(command)) {
  console.error('usage: cli.ts <check|stat|edges> [--kubeconfig F] [--context C] [--json] [--window-ms N] [--kubectl PATH]');
  process.exit(2);
}
try {
  const r = await runKubeCommand(command, { kubeconfig: values.kubeconfig, context: values.context, kubectl: values.kubectl, json: values.json, windowMs: values['window-ms'] ? Number(values['window-ms']) : undefined });
  console.log(r.text);
  process.exit(r.ok ? 0 : 1);
} catch (err) {
  console.error(`mesh ${command}: ${(err as Error).message}`);
  process.exit(2);
}
