// Entry point of the control-plane process: `node cp.mjs --dir D --trust-domain T --node-ip IP [--listen IP]
// [--cert-lifetime-ms N] [--proxy-api-port N] [--operator-api-port N]`.
import { parseArgs } from 'node:util';
import { startControlPlane } from './server.ts';
import { DEFAULT_PORTS } from '../shared/config.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    'trust-domain': { type: 'string', default: 'meshbench.local' },
    'node-ip': { type: 'string', default: '' },
    listen: { type: 'string', default: '0.0.0.0' },
    'cert-lifetime-ms': { type: 'string', default: String(24 * 3600_000) },
    'proxy-api-port': { type: 'string', default: String(DEFAULT_PORTS.cpProxyApi) },
    'operator-api-port': { type: 'string', default: String(DEFAULT_PORTS.cpOperatorApi) },
  },
});
if (!values.dir) {
  console.error('control plane: --dir <state dir> is required');
  process.exit(2);
}
const cp = await startControlPlane({
  dir: values.dir,
  trustDomain: values['trust-domain']!,
  nodeIp: values['node-ip']!,
  listenIp: values.listen!,
  certLifetimeMs: Number(values['cert-lifetime-ms']),
  proxyApiPort: Number(values['proxy-api-port']),
  operatorApiPort: Number(values['operator-api-port']),
});
console.log(`control plane up: proxy API :${values['proxy-api-port']}, operator API :${values['operator-api-port']}`);
const stop = async () => {
  await cp.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
