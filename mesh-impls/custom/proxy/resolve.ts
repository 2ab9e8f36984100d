// Where an intercepted outbound connection goes. A pod IP discovery knows is meshed as it is. On Kubernetes apps dial
// Service ClusterIPs, which the REDIRECT hands to the proxy before kube-proxy could translate them: the proxy looks
// the address up in the snapshot's virtual IPs and balances over the Service's meshed pods on the target port
// itself. Anything else leaves the mesh untouched (passthrough), as before.
import type { Endpoint, VirtualIp } from '../shared/config.ts';

export interface VipTarget {
  /** The port to dial on the chosen pod (the Service port's targetPort). */
  port: number;
  /** Meshed pods behind the address, this pod excluded. */
  endpoints: Endpoint[];
  /** Whether this pod is itself behind the address. */
  self: boolean;
}

export type Destination =
  | { to: 'meshed'; ep: Endpoint; port: number; service: string; vip?: string }
  | { to: 'self'; port: number }
  | { to: 'passthrough' };

/** `ip:port` → target, for every virtual IP with at least one meshed pod behind it. */
export function indexVirtualIps(vips: readonly VirtualIp[], endpoints: readonly Endpoint[], selfIp: string): Map<string, VipTarget> {
  const byPod = new Map(endpoints.map((e) => [e.pod, e]));
  const out = new Map<string, VipTarget>();
  for (const v of vips) {
    const eps = v.pods.map((n) => byPod.get(n)).filter((e): e is Endpoint => !!e);
    if (!eps.length) continue; // nothing meshed behind it (kube-dns, the API server): traffic leaves as it is
    out.set(`${v.ip}:${v.port}`, { port: v.targetPort, endpoints: eps.filter((e) => e.ip !== selfIp), self: eps.some((e) => e.ip === selfIp) });
  }
  return out;
}

export function resolveDestination(dst: { ip: string; port: number }, byIp: ReadonlyMap<string, Endpoint>, byVip: ReadonlyMap<string, VipTarget>, selfIp: string): Destination {
  const ep = byIp.get(dst.ip);
  if (ep) return ep.ip === selfIp ? { to: 'self', port: dst.port } : { to: 'meshed', ep, port: dst.port, service: ep.service };
  const key = `${dst.ip}:${dst.port}`;
  const vip = byVip.get(key);
  if (!vip) return { to: 'passthrough' };
  // A pod calling a Service it alone backs goes straight to its app, like a pod calling its own IP.
  if (!vip.endpoints.length) return vip.self ? { to: 'self', port: vip.port } : { to: 'passthrough' };
  const first = vip.endpoints[0];
  return { to: 'meshed', ep: first, port: vip.port, service: first.service, vip: key };
}
