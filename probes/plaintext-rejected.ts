// Probe 2: does a meshed pod refuse plaintext from outside the mesh? An unmeshed client pod calls a meshed service's
// application port directly, in the app's own protocol. Run under the mesh's default policy (where accepting can be
// the documented behaviour — Linkerd's all-unauthenticated — and is recorded as a finding) and under its strict profile.
import type { LocalProbeContext, Probe } from './types.ts';
import { clientPod, inPod } from './local/pods.ts';
import { describe, judge, requestFor, targetService } from './local/targets.ts';

export const plaintextRejected: Probe<LocalProbeContext> = {
  id: 'plaintext-rejected',
  description: "An unmeshed client calls a meshed pod's application port in plaintext; the mesh must refuse it.",
  appliesTo: () => true,
  profiles: ['default', 'strict'],
  async run(ctx) {
    const target = targetService(ctx);
    const client = await clientPod(ctx);
    const ops = target.ports.map((p) => ({ op: 'app' as const, host: ctx.stack.pod(target.name).ip, port: p.port, ...requestFor(p), timeoutMs: 4000 }));
    const obs = await inPod(ctx, client, ops);
    const attempts = target.ports.map((p, i) => ({ port: p.port, protocol: p.protocol, verdict: judge(obs[i]), answer: describe(obs[i]) }));
    const accepted = attempts.filter((a) => a.verdict === 'accepted');
    const evidence = { client, target: target.name, attempts };
    if (accepted.length) {
      return {
        outcome: 'fail',
        summary: `A plaintext client outside the mesh reached ${target.name} on port ${accepted.map((a) => a.port).join(', ')} (${accepted[0].answer}).`,
        evidence,
      };
    }
    return { outcome: 'pass', summary: `Plaintext from outside the mesh to ${target.name} was refused (${attempts.map((a) => `${a.port}: ${a.answer}`).join('; ')}).`, evidence };
  },
};
