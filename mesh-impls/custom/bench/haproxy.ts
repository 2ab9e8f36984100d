// HAProxy (the Debian package) configured as the same sidecar pair as ours: iptables sends the app's outbound calls to
// a client-side HAProxy, which speaks mTLS (TLS 1.3, certificates from the same CA, chain verified) over HTTP/2 to the
// server-side HAProxy, which hands requests to the app on loopback. HTTP mode on both sides, one thread each.
// Differences, stated: HAProxy has fixed backends per port (no discovery), and it verifies the peer chain but cannot
// check a SPIFFE URI SAN (verifyhost matches DNS names only).
import { chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HAPROXY_UID = 2102;
/** Per app port: where the client side listens (outbound redirect) and where the server side listens (inbound). */
export const haproxyPorts = (appPort: number) => ({ out: 20000 + (appPort % 10000), in: 30000 + (appPort % 10000) });

export interface AppPort {
  port: number;
  grpc: boolean;
}

const GLOBAL = `global
  maxconn 8000
  nbthread 1
  ssl-default-bind-options ssl-min-ver TLSv1.3
  ssl-default-server-options ssl-min-ver TLSv1.3
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  http-reuse always
`;

export function clientConfig(dir: string, serverIp: string, ports: AppPort[]): string {
  return (
    GLOBAL +
    ports
      .map(
        (p) => `frontend out_${p.port}
  bind 127.0.0.1:${haproxyPorts(p.port).out}${p.grpc ? ' proto h2' : ''}
  default_backend peer_${p.port}
backend peer_${p.port}
  server peer ${serverIp}:${p.port} ssl crt ${join(dir, 'client.pem')} ca-file ${join(dir, 'root.pem')} verify required alpn h2
`,
      )
      .join('')
  );
}

export function serverConfig(dir: string, ports: AppPort[]): string {
  return (
    GLOBAL +
    ports
      .map(
        (p) => `frontend in_${p.port}
  bind 0.0.0.0:${haproxyPorts(p.port).in} ssl crt ${join(dir, 'server.pem')} ca-file ${join(dir, 'root.pem')} verify required alpn h2
  default_backend app_${p.port}
backend app_${p.port}
  server app 127.0.0.1:${p.port}${p.grpc ? ' proto h2' : ''}
`,
      )
      .join('')
  );
}

/** nat rules: the client pod's app traffic to each app port → client HAProxy; arrivals on each app port → server HAProxy. */
export function haproxyRules(side: 'client' | 'server', ports: AppPort[]): string[][] {
  const nat = (...r: (string | number)[]) => ['-t', 'nat', ...r.map(String)];
  return ports.map((p) =>
    side === 'client'
      ? nat('-A', 'OUTPUT', '-p', 'tcp', '--dport', p.port, '-m', 'owner', '!', '--uid-owner', HAPROXY_UID, '-j', 'REDIRECT', '--to-ports', haproxyPorts(p.port).out)
      : nat('-A', 'PREROUTING', '-p', 'tcp', '--dport', p.port, '-j', 'REDIRECT', '--to-ports', haproxyPorts(p.port).in),
  );
}

export function writeOwned(file: string, text: string): string {
  writeFileSync(file, text, { mode: 0o600 });
  chownSync(file, HAPROXY_UID, HAPROXY_UID);
  return file;
}
