// Entry of the control-plane image (`node /app/control-plane.mjs --dir D --trust-domain T ...`): the control plane
// of the local platform, with the Kubernetes extension (TokenReview identity, EndpointSlice discovery, MeshPolicy
// objects). The CA comes from the mounted Secret at <dir>/ca; state lives in <dir> (an emptyDir).
import { parseArgs } from 'node:util';
import { startControlPlane, type ControlPlaneOptions } from '../../control-plane/server.ts';
import { DEFAULT_PORTS } from '../../shared/config.ts';
import { inClusterConfig } from '../apiclient.ts';
import { startKubeExtension, type KubeControlPlaneExtension } from '../control-plane-ext.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    'trust-domain': { type: 'string', default: 'cluster.local' },
    'cert-lifetime-ms': { type: 'string', default: String(24 * 3600_000) },
    'proxy-api-port': { type: 'string', default: String(DEFAULT_PORTS.cpProxyApi) },
    'operator-api-port': { type: 'string', default: String(DEFAULT_PORTS.cpOperatorApi) },
  },
});
if (!values.dir) {
  console.error('control plane: --dir <state dir> is required');
  process.exit(2);
}
const log = (line: string) => console.log(`[meshcp] ${line}`);
const operatorPort = Number(values['operator-api-port']);
let kube: KubeControlPlaneExtension | undefined;
const pending: Parameters<KubeControlPlaneExtension['onEndpoints']>[0][] = [];
// The operator API must be up before the extension pushes policy to it, and the extension must exist before proxies
// call: so the server starts first with a late-bound extension object.
const ext: KubeControlPlaneExtension = {
  authenticate: (t) => (kube ? kube.authenticate(t) : Promise.reject(new Error('control plane still starting'))),
  onEndpoints: (cb) => (kube ? kube.onEndpoints(cb) : pending.push(cb)),
  stop: () => kube?.stop(),
};
const options: ControlPlaneOptions & { kube: KubeControlPlaneExtension } = {
  dir: values.dir,
  trustDomain: values['trust-domain']!,
  // Node health checks are admitted per pod by the proxy (its own hostIP); the cluster has no single node address.
  nodeIp: '',
  listenIp: '0.0.0.0',
  certLifetimeMs: Number(values['cert-lifetime-ms']),
  proxyApiPort: Number(values['proxy-api-port']),
  operatorApiPort: operatorPort,
  kube: ext,
};
const cp = await startControlPlane(options);
kube = await startKubeExtension({ api: inClusterConfig(), trustDomain: options.trustDomain, dir: values.dir, operatorUrl: `http://127.0.0.1:${operatorPort}`, log });
for (const cb of pending.splice(0)) kube.onEndpoints(cb);
log(`up: proxy API :${options.proxyApiPort}, operator API :${operatorPort}, trust domain ${options.trustDomain}`);
const stop = async () => {
  kube?.stop();
  await cp.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
