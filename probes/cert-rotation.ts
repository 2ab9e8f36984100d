// Probe 8 (long profile only): certificate rotation. While one meshed pod calls another at a steady rate, the probe
// watches the callee's workload certificate. Pass: its serial changes before the old certificate expires, and no
// request fails during the change.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalProbeContext, Probe } from './types.ts';
import { inPodBackground } from './local/pods.ts';
import { portOf, requestFor, sensitiveEdge, service } from './local/targets.ts';
import type { LoopObservation } from './local/tool.ts';
import { describeCert } from './certs.ts';
import { workloadChain } from './workload-identity.ts';

const MAX_WATCH_MS = 20 * 60_000;
const POLL_MS = 1000;
/** Requests keep flowing this long after the new certificate shows, to catch failures during the switch. */
const SETTLE_MS = 3000;

export const certRotation: Probe<LocalProbeContext> = {
  id: 'cert-rotation',
  description: 'The workload certificate serial changes before expiry, with no failed request during the change.',
  appliesTo: () => true,
  longOnly: true,
  timeoutMs: MAX_WATCH_MS + 60_000,
  async run(ctx) {
    const edge = sensitiveEdge(ctx) ?? ctx.workload.callGraph[0];
    if (!edge) return { outcome: 'not-applicable', summary: `Workload ${ctx.workload.name} makes no pod-to-pod calls.`, evidence: {} };
    const first = await workloadChain(ctx, edge.to);
    if (first.chain.length === 0) {
      return { outcome: 'fail', summary: `${edge.to} presents no workload certificate (${first.error ?? 'no TLS'}): nothing is ever rotated.`, evidence: { pod: edge.to, source: first.source } };
    }
    const old = describeCert(first.chain[0]);
    const untilExpiry = new Date(old.notAfter).getTime() - Date.now();
    if (untilExpiry > MAX_WATCH_MS && ctx.facts.rotationWatchMs === undefined) {
      return {
        outcome: 'error',
        summary: `${edge.to}'s certificate lives ${old.lifetimeS} s (expires in ${Math.round(untilExpiry / 1000)} s), longer than the probe can watch (${MAX_WATCH_MS / 60_000} min): configure a shorter certificate lifetime for the long profile.`,
        evidence: { pod: edge.to, serial: old.serial, notAfter: old.notAfter, lifetimeS: old.lifetimeS },
      };
    }
    const watchMs = Math.min(ctx.facts.rotationWatchMs ?? untilExpiry + 10_000, MAX_WATCH_MS);
    const port = portOf(service(ctx, edge.to), edge.port);
    const load = inPodBackground(ctx, edge.from, [{ op: 'loop', host: edge.to, port: port.port, ...requestFor(port, edge.methods?.[0]), intervalMs: 200, durationMs: watchMs + SETTLE_MS, timeoutMs: 3000 }], {
      uid: ctx.facts.clientUid,
    });
    const serials: { at: string; serial: string; notAfter: string }[] = [{ at: new Date().toISOString(), serial: old.serial, notAfter: old.notAfter }];
    let rotatedAt: number | undefined;
    let newer;
    let traffic!: LoopObservation;
    const deadline = Date.now() + watchMs;
    try {
      while (Date.now() < deadline) {
        await sleep(POLL_MS);
        const { chain } = await workloadChain(ctx, edge.to);
        if (!chain.length) continue;
        const now = describeCert(chain[0]);
        if (now.serial !== serials.at(-1)!.serial) serials.push({ at: new Date().toISOString(), serial: now.serial, notAfter: now.notAfter });
        if (now.serial !== old.serial) {
          rotatedAt = Date.now();
          newer = now;
          await sleep(SETTLE_MS);
          break;
        }
      }
    } finally {
      [traffic] = await load.stop();
    }
    const evidence = {
      pod: edge.to,
      caller: edge.from,
      oldSerial: old.serial,
      oldNotAfter: old.notAfter,
      lifetimeS: old.lifetimeS,
      newSerial: newer?.serial ?? null,
      rotatedBeforeExpiryS: rotatedAt ? Math.round((new Date(old.notAfter).getTime() - rotatedAt) / 1000) : null,
      watchedS: Math.round(watchMs / 1000),
      serials,
      requests: traffic.sent,
      failedRequests: traffic.sent - traffic.answered,
      failures: traffic.failures.slice(0, 10),
      statuses: traffic.statuses,
    };
    const failed = traffic.sent - traffic.answered;
    if (!rotatedAt) {
      return { outcome: 'fail', summary: `${edge.to}'s certificate (serial ${old.serial}) was not rotated within ${Math.round(watchMs / 1000)} s, up to its expiry.`, evidence };
    }
    if (rotatedAt > new Date(old.notAfter).getTime()) {
      return { outcome: 'fail', summary: `${edge.to}'s certificate was replaced only after it expired.`, evidence };
    }
    if (failed > 0 || traffic.sent === 0) {
      return { outcome: 'fail', summary: `The certificate rotated, but ${failed} of ${traffic.sent} requests ${edge.from} → ${edge.to} failed meanwhile (${traffic.failures[0]?.error ?? 'none sent'}).`, evidence };
    }
    return { outcome: 'pass', summary: `${edge.to}'s certificate rotated ${evidence.rotatedBeforeExpiryS} s before expiry; ${traffic.sent} requests during the watch, none failed.`, evidence };
  },
};
