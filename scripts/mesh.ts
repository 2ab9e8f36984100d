// The custom mesh's operator CLI. Local platform (default): mesh-impls/custom/cli/cli.ts against a running stack.
// `--platform kind|kubernetes`: check, stat and edges through the cluster's API server (mesh-impls/custom/k8s/cli.ts),
// with [--kubeconfig F] [--context C] [--kubectl PATH] [--window S] [--json].
import { parseArgs } from 'node:util';
import { runCli } from '../mesh-impls/custom/cli/cli.ts';
import { runKubeCommand } from '../mesh-impls/custom/k8s/cli.ts';

const KUBE_USAGE = 'usage: npm run mesh -- <check|stat|edges> --platform kind|kubernetes [--kubeconfig F] [--context C] [--kubectl PATH] [--window S] [--json]';

async function kube(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      platform: { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      kubectl: { type: 'string' },
      window: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const command = positionals[0];
  if (!command || !['check', 'stat', 'edges'].includes(command)) throw new Error(`"${command ?? ''}" is not a command on Kubernetes.\n${KUBE_USAGE}`);
  const windowS = values.window === undefined ? undefined : Number(values.window);
  if (windowS !== undefined && !(windowS > 0)) throw new Error(`--window needs seconds > 0 (got "${values.window}")`);
  const r = await runKubeCommand(command, { kubeconfig: values.kubeconfig, context: values.context, kubectl: values.kubectl, json: values.json, windowMs: windowS && windowS * 1000 });
  console.log(r.text);
  return r.ok ? 0 : 1;
}

try {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--platform');
  const platform = at >= 0 ? argv[at + 1] : 'local';
  if (platform === 'kind' || platform === 'kubernetes') process.exitCode = await kube(argv);
  else if (platform === 'local') process.exitCode = await runCli(at >= 0 ? argv.filter((_, i) => i !== at && i !== at + 1) : argv);
  else throw new Error(`unknown --platform "${platform}". Accepted: local, kind, kubernetes.`);
} catch (err) {
  console.error(`mesh: ${(err as Error).message}`);
  process.exitCode = 2;
}
