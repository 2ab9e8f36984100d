// Inbound authorization. Like Linkerd: a port with explicit allow rules admits only what the rules name; a port
// without rules falls back to the default policy. Node health checks (kubelet-probe equivalents) are always admitted.
import { UNAUTHENTICATED, type AllowRule } from '../../types.ts';
import type { Endpoint, Snapshot } from '../shared/config.ts';
import { serviceAccountOf } from '../shared/identity.ts';

export interface Caller {
  /** SPIFFE id from the peer certificate; undefined for plaintext clients. */
  id?: string;
  ip: string;
}

export class Authorizer {
  private byPort = new Map<number, AllowRule[]>();
  private health?: Endpoint['health'];

  constructor(
    private snapshot: Snapshot,
    service: string,
    pod: string,
    /** Whose health checks are admitted; the snapshot's node address unless the bootstrap names one. */
    private nodeIp = snapshot.nodeIp,
  ) {
    for (const r of snapshot.policy.allow) {
      if (r.to !== service) continue;
      const list = this.byPort.get(r.port) ?? [];
      list.push(r);
      this.byPort.set(r.port, list);
    }
    this.health = snapshot.endpoints.find((e) => e.pod === pod)?.health;
  }

  /** `path` is the HTTP path or gRPC method; undefined for an opaque TCP connection. */
  allows(port: number, caller: Caller, path?: string): boolean {
    if (caller.ip === this.nodeIp && this.isHealthCheck(port, path)) return true;
    const rules = this.byPort.get(port);
    if (rules) {
      const sa = caller.id ? serviceAccountOf(caller.id) : undefined;
      return rules.some((r) => (r.from.includes(UNAUTHENTICATED) || (sa !== undefined && r.from.includes(sa))) && methodMatches(r.methods, path));
    }
    switch (this.snapshot.policy.default) {
      case 'all-unauthenticated':
        return true;
      case 'all-authenticated':
        return caller.id !== undefined;
      default:
        return false;
    }
  }

  /** HTTP rules with methods need a request to look at; a connection on such a port is checked per request. */
  needsRequest(port: number): boolean {
    return this.byPort.get(port)?.some((r) => r.methods?.length) ?? false;
  }

  private isHealthCheck(port: number, path?: string): boolean {
    const h = this.health;
    if (!h || h.port !== port) return false;
    if (h.kind === 'tcp') return true;
    if (path === undefined) return false;
    if (h.kind === 'grpc') return path.startsWith('/grpc.health.v1.Health/');
    const q = path.indexOf('?');
    return (q < 0 ? path : path.slice(0, q)) === h.path;
  }
}

function methodMatches(methods: readonly string[] | undefined, path?: string): boolean {
  if (!methods || methods.length === 0) return true;
  if (path === undefined) return false;
  const q = path.indexOf('?');
  const p = q < 0 ? path : path.slice(0, q);
  return methods.some((m) => p === m || (p.startsWith(m) && (m.endsWith('/') || p[m.length] === '/')));
}
