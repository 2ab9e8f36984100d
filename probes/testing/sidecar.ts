// A minimal mTLS sidecar for the probes' tests, so each probe can be shown passing AND failing without depending on
// any real mesh. Inbound: a TLS listener that checks the client certificate (or, deliberately, does not) and the
// caller's SPIFFE id against a policy file, then forwards to the app on loopback. Outbound: one local listener per
// peer (iptables REDIRECTs the app's connections to it) that originates mTLS to the peer's inbound port. Admin:
// a metrics page on a configurable address. Certificates are reloaded when their file changes (rotation).
// Usage: sidecar.ts <config.json>
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync, watchFile } from 'node:fs';

export interface SidecarConfig {
  appPort: number;
  inboundPort: number;
  adminHost: string;
  adminPort: number;
  certFile: string;
  keyFile: string;
  caFile: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
  /** false simulates a broken mesh: any client certificate is accepted. */
  verifyClients: boolean;
  /** JSON `{ "allow": string[] | null }`: caller SPIFFE ids allowed (null: any verified caller). Read per connection. */
  policyFile: string;
  outbound: { listenPort: number; peerIp: string; peerPort: number }[];
}

const config = JSON.parse(readFileSync(process.argv[2], 'utf8')) as SidecarConfig;
const seen = new Map<string, number>();

function secureContext(): tls.SecureContextOptions {
  return { cert: readFileSync(config.certFile), key: readFileSync(config.keyFile), ca: readFileSync(config.caFile) };
}

function pipe(a: net.Socket, b: net.Socket): void {
  a.pipe(b).on('error', () => a.destroy());
  b.pipe(a).on('error', () => b.destroy());
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
}

const inbound = tls.createServer(
  { ...secureContext(), requestCert: true, rejectUnauthorized: config.verifyClients, minVersion: config.minVersion, maxVersion: config.maxVersion, ciphers: config.ciphers },
  (socket) => {
    const uri = /URI:([^,\s]+)/.exec(socket.getPeerCertificate()?.subjectaltname ?? '')?.[1] ?? '';
    const { allow } = JSON.parse(readFileSync(config.policyFile, 'utf8')) as { allow: string[] | null };
    if (config.verifyClients && allow && !allow.includes(uri)) return void socket.destroy();
    seen.set(uri, (seen.get(uri) ?? 0) + 1);
    pipe(socket, net.connect(config.appPort, '127.0.0.1'));
  },
);
inbound.on('tlsClientError', () => {});
inbound.listen(config.inboundPort, '0.0.0.0');

watchFile(config.certFile, { interval: 200 }, () => {
  try {
    inbound.setSecureContext(secureContext());
  } catch {}
});

for (const o of config.outbound) {
  net
    .createServer((local) => {
      const remote = tls.connect({ host: o.peerIp, port: o.peerPort, ...secureContext(), checkServerIdentity: () => undefined });
      pipe(local, remote);
    })
    .listen(o.listenPort, '127.0.0.1');
}

http
  .createServer((_req, res) => {
    const lines = [...seen].map(([uri, n]) => `fixture_inbound_connections_total{peer="${uri}"} ${n}`);
    res.end(`# TYPE fixture_inbound_connections_total counter\n${lines.join('\n')}\nfixture_up 1\n`);
  })
  .listen(config.adminPort, config.adminHost);

console.log(`sidecar up: inbound ${config.inboundPort}, admin ${config.adminHost}:${config.adminPort}`);
process.on('SIGTERM', () => process.exit(0));
