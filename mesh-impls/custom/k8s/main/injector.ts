// Entry of the injector (`node /app/injector.mjs`, control-plane image): loads the mesh CA from the mounted Secret,
// issues its own serving certificate for the webhook Service's DNS names, and serves AdmissionReviews.
import { parseArgs } from 'node:util';
import { ensureCa, spiffeId } from '../../shared/pki.ts';
import { issueServingCert, startWebhook } from '../webhook.ts';
import { CP_NAME, CP_NAMESPACE, MESH_VERSION, PORTS } from '../constants.ts';

const { values } = parseArgs({
  options: {
    'ca-dir': { type: 'string' },
    port: { type: 'string', default: String(PORTS.webhook) },
    listen: { type: 'string', default: '0.0.0.0' },
    'trust-domain': { type: 'string', default: 'cluster.local' },
    'proxy-image': { type: 'string' },
    'control-plane': { type: 'string' },
    dns: { type: 'string', multiple: true },
  },
});
for (const k of ['ca-dir', 'proxy-image', 'control-plane', 'dns'] as const) {
  if (!values[k]) {
    console.error(`injector: --${k} is required`);
    process.exit(2);
  }
}
// ensureCa only loads here: the Secret holds issuer.key, so nothing is generated (and the mount is read-only).
const td = values['trust-domain']!;
const ca = await ensureCa(values['ca-dir']!, td);
const cert = await issueServingCert(ca, values.dns!);
const server = await startWebhook({
  ...cert,
  host: values.listen!,
  port: Number(values.port),
  cfg: {
    proxyImage: values['proxy-image']!,
    trustDomain: td,
    controlPlane: values['control-plane']!,
    controlPlaneId: spiffeId(td, CP_NAMESPACE, CP_NAME),
    rootPem: ca.rootPem,
    version: MESH_VERSION,
    ports: { inbound: PORTS.inbound, outbound: PORTS.outbound, admin: PORTS.admin },
  },
});
console.log(`injector up on :${server.port} (TLS for ${values.dns!.join(', ')})`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
