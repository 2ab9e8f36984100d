// The injected proxy's bootstrap on Kubernetes: the local platform writes bootstrap.json from the host; here the
// injector can only set environment variables (downward API + constants), so the proxy's entry builds the same
// ProxyBootstrap from them and writes the trust anchor to its in-memory scratch dir.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProxyBootstrap } from '../shared/config.ts';
import { TOKEN_DIR, RUN_DIR } from './constants.ts';

/**
 * Fields the Kubernetes proxy needs beyond the local ProxyBootstrap (ignored by the proxy until it reads them):
 * `adminListen` — the kubelet probes /ready and /live on the pod IP, so admin must not be loopback-only;
 * `nodeIp` — the pod's node (status.hostIP), whose health checks are admitted like the local platform's node address.
 */
export interface KubeProxyBootstrap extends ProxyBootstrap {
  adminListen: string;
  nodeIp: string;
}

export function bootstrapFromEnv(env: NodeJS.ProcessEnv, addonPath = '/app/original_dst.node'): KubeProxyBootstrap {
  const need = (name: string) => {
    const v = env[name];
    if (!v) throw new Error(`${name} is not set: the mesh proxy on Kubernetes is configured by the injector (is the pod injected by meshcp-injector?)`);
    return v;
  };
  const num = (name: string, dflt?: number) => {
    const v = env[name] ?? (dflt === undefined ? need(name) : String(dflt));
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name}="${v}" is not a whole number`);
    return n;
  };
  const runDir = env.MESH_RUN_DIR ?? RUN_DIR;
  return {
    pod: need('MESH_POD_NAME'),
    podIp: need('MESH_POD_IP'),
    namespace: need('MESH_POD_NAMESPACE'),
    serviceAccount: need('MESH_SERVICE_ACCOUNT'),
    service: need('MESH_SERVICE'),
    controlPlane: need('MESH_CONTROL_PLANE'),
    controlPlaneId: need('MESH_CONTROL_PLANE_ID'),
    rootFile: join(runDir, 'root.pem'),
    tokenFile: env.MESH_TOKEN_FILE ?? `${TOKEN_DIR}/token`,
    inboundPort: num('MESH_INBOUND_PORT'),
    outboundPort: num('MESH_OUTBOUND_PORT'),
    adminPort: num('MESH_ADMIN_PORT'),
    readyFile: join(runDir, 'ready'),
    addonPath,
    drainMs: num('MESH_DRAIN_MS', 2500),
    requestTimeoutMs: num('MESH_REQUEST_TIMEOUT_MS', 10_000),
    adminListen: '0.0.0.0',
    nodeIp: need('MESH_HOST_IP'),
  };
}

/** Writes the trust anchor and bootstrap.json into the run dir; returns the bootstrap file's path. */
export function writeBootstrap(boot: KubeProxyBootstrap, rootPem: string): string {
  mkdirSync(join(boot.rootFile, '..'), { recursive: true });
  writeFileSync(boot.rootFile, rootPem, { mode: 0o644 });
  const file = join(boot.rootFile, '..', 'bootstrap.json');
  writeFileSync(file, JSON.stringify(boot, null, 2), { mode: 0o600 });
  return file;
}
