// Probe 7: are the proxies' admin and metrics endpoints reachable from another pod, and what do they reveal? The
// probe tries every endpoint the mesh declares plus the well-known admin ports of the meshes we compare, on a meshed
// pod's address, from an unmeshed pod. Pass: none answers. Fail: one answers; the evidence lists what it gave away.
import type { LocalProbeContext, Probe } from './types.ts';
import { clientPod, inPod } from './local/pods.ts';
import { targetService } from './local/targets.ts';

/** Admin ports of the contenders: Linkerd 4191, Envoy (Consul) 19000 and merged metrics 20100/20200, Istio 15000/15020/15090. */
export const WELL_KNOWN_ADMIN_PORTS = [4191, 15000, 15020, 15090, 19000, 20100, 20200];

export interface Revealed {
  metricSeries: number;
  identities: string[];
  addresses: number;
  certificates: boolean;
  privateKeys: boolean;
}

export function whatItReveals(body: string): Revealed {
  const lines = body.split('\n');
  return {
    metricSeries: lines.filter((l) => /^[a-zA-Z_:][\w:]*(\{[^}]*\})? /.test(l)).length,
    identities: [...new Set(body.match(/spiffe:\/\/[^\s"',}]+|[\w-]+\.[\w-]+\.serviceaccount\.identity\.[\w.-]+/g) ?? [])].slice(0, 10),
    addresses: new Set(body.match(/\b\d{1,3}(\.\d{1,3}){3}\b/g) ?? []).size,
    certificates: body.includes('BEGIN CERTIFICATE'),
    privateKeys: /PRIVATE KEY/.test(body),
  };
}

export const adminExposure: Probe<LocalProbeContext> = {
  id: 'admin-exposure',
  description: "Proxy admin/metrics endpoints must not be reachable from another pod; records what reachable ones reveal.",
  appliesTo: () => true,
  async run(ctx) {
    const target = targetService(ctx);
    const ip = ctx.stack.pod(target.name).ip;
    const declared = (ctx.facts.adminEndpoints ?? []).map((e) => {
      const url = new URL(e.url);
      // An endpoint declared on loopback is tried on the pod's own address: that is what another pod could reach.
      const host = ctx.stack.pods.has(e.pod) ? ctx.stack.pod(e.pod).ip : url.hostname;
      return { pod: e.pod, host, port: Number(url.port || 80), path: url.pathname || '/' };
    });
    const appPorts = new Set(target.ports.map((p) => p.port));
    const guessed = WELL_KNOWN_ADMIN_PORTS.filter((p) => !appPorts.has(p) && !declared.some((d) => d.host === ip && d.port === p)).map((port) => ({
      pod: target.name,
      host: ip,
      port,
      path: '/metrics',
    }));
    const tries = [...declared, ...guessed];
    const obs = await inPod(
      ctx,
      await clientPod(ctx),
      tries.map((t) => ({ op: 'app' as const, protocol: 'http' as const, host: t.host, port: t.port, path: t.path, timeoutMs: 2000, keep: 1_000_000 })),
      { timeoutMs: 45_000 },
    );
    const reveals = tries
      .map((t, i) => ({ t, o: obs[i], declared: i < declared.length }))
      .filter(({ o }) => o.answered && o.httpStatus !== 403 && o.httpStatus !== 401)
      .map(({ t, o, declared: d }) => ({ endpoint: `http://${t.host}:${t.port}${t.path}`, pod: t.pod, declared: d, status: o.httpStatus, bytes: o.bytes ?? 0, reveals: whatItReveals(o.head ?? '') }));
    const evidence = {
      from: await clientPod(ctx),
      tried: tries.map((t) => `http://${t.host}:${t.port}${t.path}`),
      declaredEndpoints: declared.length,
      reachable: reveals,
    };
    if (reveals.length) {
      const worst = reveals[0];
      return {
        outcome: 'fail',
        summary: `${reveals.length} admin endpoint(s) answer other pods, e.g. ${worst.endpoint} (${worst.bytes} bytes, ${worst.reveals.metricSeries} series, ${worst.reveals.identities.length} identities${worst.reveals.privateKeys ? ', PRIVATE KEYS' : ''}).`,
        evidence,
      };
    }
    if (!ctx.meshesPods && declared.length === 0) {
      return { outcome: 'not-applicable', summary: 'No proxy runs in the pods: there is no admin endpoint to expose (none of the well-known ports answered).', evidence };
    }
    return { outcome: 'pass', summary: `No proxy admin endpoint answered from another pod (${tries.length} tried).`, evidence };
  },
};
