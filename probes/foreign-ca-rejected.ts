// Probe 6: a client certificate from a CA the mesh never trusted is refused. The probe mints its own root and a client
// certificate that claims a legitimate caller's identity (same SPIFFE id / identity name), connects from an unmeshed
// pod to the target's mesh port and sends a real request. Pass: the handshake fails, or the session is closed or
// denied without the application ever answering.
import type { LocalProbeContext, Probe } from './types.ts';
import { clientPod, inPod } from './local/pods.ts';
import { describe, judge, mtlsPort, portOf, requestFor, sensitiveEdge, service, targetService } from './local/targets.ts';
import { createCa, issueCert } from './certs.ts';

export const foreignCaRejected: Probe<LocalProbeContext> = {
  id: 'foreign-ca-rejected',
  description: 'A client presenting a certificate from another CA (claiming a legitimate identity) is refused.',
  appliesTo: () => true,
  async run(ctx) {
    const target = targetService(ctx);
    const port = mtlsPort(ctx, target);
    const edge = sensitiveEdge(ctx);
    const impersonated = edge ? service(ctx, edge.from) : target;
    const claimed = ctx.facts.expectedIdentity?.(impersonated) ?? `spiffe://cluster.local/ns/default/sa/${impersonated.serviceAccount}`;
    const ca = await createCa('meshbench foreign CA', 3600);
    const leaf = await issueCert(ca, claimed.startsWith('spiffe://') ? { uri: claimed, lifetimeS: 3600 } : { dns: [claimed], lifetimeS: 3600 });
    const appPort = portOf(target, edge?.port ?? target.ports[0].port);
    const [obs] = await inPod(ctx, await clientPod(ctx), [
      {
        op: 'tls',
        host: ctx.stack.pod(target.name).ip,
        port,
        servername: ctx.facts.expectedIdentity?.(target),
        alpn: ctx.facts.alpn,
        certPem: leaf.certPem,
        keyPem: leaf.keyPem,
        request: requestFor(appPort, edge?.methods?.[0]),
        timeoutMs: 5000,
      },
    ]);
    const evidence = {
      target: `${target.name} ${ctx.stack.pod(target.name).ip}:${port}`,
      claimedIdentity: claimed,
      foreignCa: 'CN=meshbench foreign CA (ECDSA P-256, minted by the probe)',
      handshake: obs.handshake,
      protocol: obs.protocol ?? null,
      handshakeError: obs.error ?? null,
      application: obs.app ? { verdict: judge(obs.app), answer: describe(obs.app) } : null,
    };
    if (!obs.handshake) {
      // A plaintext port answers a ClientHello with garbage or closes; that is no TLS at all, not a rejection.
      if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|ECONNREFUSED|TIMEOUT|HTTP_REQUEST/i.test(obs.error ?? '')) {
        return { outcome: 'fail', summary: `${target.name}:${port} has no mTLS endpoint (${obs.error}): clients are not authenticated by certificate at all.`, evidence };
      }
      return { outcome: 'pass', summary: `${target.name}:${port} refused the foreign-CA certificate during the handshake (${obs.error}).`, evidence };
    }
    const verdict = obs.app ? judge(obs.app) : 'refused';
    if (verdict === 'accepted') {
      return { outcome: 'fail', summary: `${target.name}:${port} accepted a certificate from a foreign CA claiming ${claimed}: the application answered ${describe(obs.app!)}.`, evidence };
    }
    return { outcome: 'pass', summary: `${target.name}:${port} completed no request with the foreign-CA certificate (${obs.app ? describe(obs.app) : 'closed'}).`, evidence };
  },
};
