// The interception rules of a meshed pod, as iptables argv lists (the form LocalStack.iptables() takes), so the
// Kubernetes init container and the local platform can apply exactly the same rules. nat table only, like
// linkerd-init: inbound TCP is redirected to the proxy's inbound port, outbound TCP to its outbound port; the proxy's
// own traffic (by uid), loopback, and listed ports are left alone.
export interface InterceptOptions {
  proxyUid: number;
  inboundPort: number;
  outboundPort: number;
  /** Inbound ports never redirected: at least the proxy's admin port (kubelet probes the proxy itself there). */
  skipInboundPorts: readonly number[];
  skipOutboundPorts?: readonly number[];
}

export const INBOUND_CHAIN = 'MESH_INBOUND';
export const OUTBOUND_CHAIN = 'MESH_OUTPUT';

export function interceptRules(o: InterceptOptions): string[][] {
  const nat = (...a: (string | number)[]) => ['-t', 'nat', ...a.map(String)];
  const ports = (list: readonly number[]) => [...new Set(list)].sort((a, b) => a - b);
  return [
    nat('-N', INBOUND_CHAIN),
    ...ports(o.skipInboundPorts).map((p) => nat('-A', INBOUND_CHAIN, '-p', 'tcp', '--dport', p, '-j', 'RETURN')),
    nat('-A', INBOUND_CHAIN, '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', o.inboundPort),
    nat('-A', 'PREROUTING', '-p', 'tcp', '-j', INBOUND_CHAIN),
    nat('-N', OUTBOUND_CHAIN),
    // The proxy's own connections (to peers, to the control plane) must leave as they are, or they would loop.
    nat('-A', OUTBOUND_CHAIN, '-m', 'owner', '--uid-owner', o.proxyUid, '-j', 'RETURN'),
    nat('-A', OUTBOUND_CHAIN, '-o', 'lo', '-j', 'RETURN'),
    ...ports(o.skipOutboundPorts ?? []).map((p) => nat('-A', OUTBOUND_CHAIN, '-p', 'tcp', '--dport', p, '-j', 'RETURN')),
    nat('-A', OUTBOUND_CHAIN, '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', o.outboundPort),
    nat('-A', 'OUTPUT', '-p', 'tcp', '-j', OUTBOUND_CHAIN),
  ];
}

/** Parses a comma-separated port list from an annotation; throws naming the annotation on anything else. */
export function parsePorts(value: string | undefined, what: string): number[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((s) => {
    const t = s.trim();
    const n = Number(t);
    if (!/^\d+$/.test(t) || n < 1 || n > 65535) throw new Error(`${what}: "${t}" is not a TCP port (1-65535); write a comma-separated list like "25,6379"`);
    return n;
  });
}
