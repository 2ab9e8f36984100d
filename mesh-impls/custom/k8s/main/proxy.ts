// Entry of the proxy image (`node /app/proxy.mjs`): builds the bootstrap from the injector's environment, then runs
// the same Proxy as the local platform. SIGTERM drains, then exits (the kubelet stops native sidecars last).
import { bootstrapFromEnv, writeBootstrap } from '../bootstrap.ts';
import { Proxy } from '../../proxy/proxy.ts';
import { runProxyProcess } from '../../proxy/run.ts';

let proxy: Proxy;
try {
  const boot = bootstrapFromEnv(process.env);
  const root = process.env.MESH_TRUST_ANCHOR;
  if (!root?.includes('BEGIN CERTIFICATE')) throw new Error('MESH_TRUST_ANCHOR must hold the mesh root certificate (PEM)');
  writeBootstrap(boot, root);
  proxy = new Proxy(boot);
} catch (err) {
  console.error(`mesh-proxy: ${(err as Error).message}`);
  process.exit(2);
}
runProxyProcess(proxy, 'mesh-proxy');
