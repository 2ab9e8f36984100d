// Probe 4: workload identity. The certificate a meshed pod presents names the identity the mesh promises, in the
// mesh's own format (SPIFFE for custom and Consul, Linkerd's identity name), chains to the mesh's root, and lives no
// longer than the mesh declares. The certificate is read from the wire (what a peer sees) unless the mesh says where
// it lives. Records key type and lifetime.
import type { LocalProbeContext, Probe } from './types.ts';
import { clientPod, inPod } from './local/pods.ts';
import { mtlsPort, targetService, type ProbeService } from './local/targets.ts';
import { describeCert, splitPem, verifyChain, type CertFacts } from './certs.ts';

/** Reads a pod's workload certificate chain (leaf first) as a peer would see it, or from the mesh when it says how. */
export async function workloadChain(ctx: LocalProbeContext, pod: string): Promise<{ chain: string[]; source: string; error?: string }> {
  if (ctx.facts.workloadCertificatePem) return { chain: splitPem(await ctx.facts.workloadCertificatePem(pod)), source: 'mesh' };
  const svc = ctx.workload.services.find((s) => s.name === pod);
  if (!svc) throw new Error(`workload-identity: pod ${pod} is not a service of ${ctx.workload.name}`);
  const port = mtlsPort(ctx, svc);
  const [obs] = await inPod(ctx, await clientPod(ctx), [
    { op: 'tls', host: ctx.stack.pod(pod).ip, port, alpn: ctx.facts.alpn, servername: ctx.facts.expectedIdentity?.(svc), timeoutMs: 4000 },
  ]);
  return { chain: obs.chainPem ?? [], source: `wire ${ctx.stack.pod(pod).ip}:${port}`, error: obs.handshake ? undefined : obs.error };
}

/** Whether a certificate's names carry the identity the mesh promises for `svc`. */
export function identityHolds(facts: LocalProbeContext['facts'], svc: ProbeService, names: string[]): boolean {
  if (facts.identityMatches) return names.some((n) => facts.identityMatches!(n, svc));
  const expected = facts.expectedIdentity?.(svc);
  return expected !== undefined && names.includes(expected);
}

/** CAs backdate notBefore a little against clock skew (the custom mesh by 30 s): that much over the declared lifetime is not a finding. */
export const BACKDATE_ALLOWANCE_S = 60;

export const workloadIdentity: Probe<LocalProbeContext> = {
  id: 'workload-identity',
  description: "The workload certificate names the expected identity in the mesh's format, chains to the mesh root and respects the declared lifetime.",
  appliesTo: () => true,
  async run(ctx) {
    const pods = [targetService(ctx), ...ctx.workload.services.filter((s) => s.name === ctx.workload.entry.service)];
    const anchors = ctx.facts.trustAnchorsPem ? splitPem(await ctx.facts.trustAnchorsPem()) : [];
    const checked: Record<string, unknown>[] = [];
    const problems: string[] = [];
    for (const svc of new Set(pods)) {
      const { chain, source, error } = await workloadChain(ctx, svc.name);
      if (chain.length === 0) {
        problems.push(`${svc.name} presents no certificate (${error ?? 'no TLS'})`);
        checked.push({ pod: svc.name, source, error: error ?? 'no certificate' });
        continue;
      }
      const leaf: CertFacts = describeCert(chain[0]);
      const expected = ctx.facts.expectedIdentity?.(svc);
      const names = [...leaf.uris, ...leaf.dnsNames];
      const identityOk = identityHolds(ctx.facts, svc, names);
      const chainCheck = verifyChain(chain, anchors);
      const maxS = ctx.facts.maxCertLifetimeS;
      const lifetimeOk = maxS !== undefined && leaf.lifetimeS <= maxS + BACKDATE_ALLOWANCE_S;
      if (!identityOk) problems.push(expected ? `${svc.name}'s certificate names ${names.join(', ') || 'nothing'}, not ${expected}` : `the mesh declares no identity for ${svc.name}`);
      if (!chainCheck.ok) problems.push(`${svc.name}'s chain does not hold: ${chainCheck.reason}`);
      if (!lifetimeOk) problems.push(maxS === undefined ? 'the mesh declares no certificate lifetime' : `${svc.name}'s certificate lives ${leaf.lifetimeS} s > declared ${maxS} s`);
      checked.push({
        pod: svc.name,
        source,
        expectedIdentity: expected ?? null,
        identityFormat: ctx.facts.identityFormat ?? null,
        names,
        keyType: leaf.keyType,
        lifetimeS: leaf.lifetimeS,
        declaredMaxLifetimeS: maxS ?? null,
        backdateAllowanceS: BACKDATE_ALLOWANCE_S,
        serial: leaf.serial,
        issuer: leaf.issuer,
        notAfter: leaf.notAfter,
        chain: chainCheck.path,
        chainOk: chainCheck.ok,
      });
    }
    const evidence = { certificates: checked, trustAnchors: anchors.map((a) => describeCert(a).subject) };
    if (problems.length) return { outcome: 'fail', summary: `Workload identity does not hold: ${problems.join('; ')}.`, evidence };
    const first = checked[0] as { names: string[]; keyType: string; lifetimeS: number };
    return {
      outcome: 'pass',
      summary: `Workload certificates name their identity (${first.names[0]}), chain to the mesh root, ${first.keyType}, lifetime ${first.lifetimeS} s within the declared ${ctx.facts.maxCertLifetimeS} s (+${BACKDATE_ALLOWANCE_S} s backdating).`,
      evidence,
    };
  },
};
