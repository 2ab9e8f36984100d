// Probe 3: least privilege. Under deny-by-default allowing only the workload's call graph (leastPrivilegePolicy,
// applied by the runner), a meshed identity outside the graph calling the sensitive method (PaymentService/Charge)
// is denied, while every legitimate edge still works and the user journey (a full checkout) still completes.
import type { LocalProbeContext, Probe } from './types.ts';
import type { CallEdge } from '../workloads/types.ts';
import { clientPod, inPod } from './local/pods.ts';
import { describe, judge, portOf, requestFor, sensitiveEdge, service } from './local/targets.ts';
import { runJourneyOnce } from './local/journey-once.ts';

/** Edges keyed by caller, one request per distinct (to, port, method). */
function legitimateCalls(graph: readonly CallEdge[]): { from: string; to: string; port: number; method?: string }[] {
  const seen = new Set<string>();
  const out = [];
  for (const e of graph) {
    for (const method of e.methods?.length ? e.methods : [undefined]) {
      const key = `${e.from}>${e.to}:${e.port}${method ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ from: e.from, to: e.to, port: e.port, method });
    }
  }
  return out;
}

export const authzLeastPrivilege: Probe<LocalProbeContext> = {
  id: 'authz-least-privilege',
  description: 'Deny by default, allow only the call graph: an outside identity calling the sensitive method is denied; no legitimate edge is.',
  appliesTo: () => true,
  profiles: ['least-privilege'],
  async run(ctx) {
    const edge = sensitiveEdge(ctx);
    if (!edge) return { outcome: 'not-applicable', summary: `Workload ${ctx.workload.name} has no call graph to restrict.`, evidence: {} };
    const target = service(ctx, edge.to);
    const port = portOf(target, edge.port);
    const method = edge.methods?.[0];
    const allowed = new Set(ctx.workload.callGraph.filter((e) => e.to === edge.to && e.port === edge.port).map((e) => e.from));
    // The outsider is a meshed workload with a real identity that the graph never lets call the target.
    const outsider =
      ctx.workload.services.find((s) => s.name === ctx.workload.entry.service && !allowed.has(s.name) && s.name !== target.name) ??
      ctx.workload.services.find((s) => !allowed.has(s.name) && s.name !== target.name);
    const outsideCall = { op: 'app' as const, host: target.name, port: port.port, ...requestFor(port, method) };
    const [fromOutsider] = outsider ? await inPod(ctx, outsider.name, [outsideCall], { uid: ctx.facts.clientUid }) : [undefined];
    const [fromUnmeshed] = await inPod(ctx, await clientPod(ctx), [{ ...outsideCall, host: ctx.stack.pod(target.name).ip, timeoutMs: 4000 }]);

    // Every legitimate edge from its real caller, grouped so each caller pod runs the client once.
    const calls = legitimateCalls(ctx.workload.callGraph);
    const byCaller = new Map<string, typeof calls>();
    for (const c of calls) byCaller.set(c.from, [...(byCaller.get(c.from) ?? []), c]);
    const legit: { edge: string; verdict: string; answer: string }[] = [];
    await Promise.all(
      [...byCaller].map(async ([from, cs]) => {
        const ops = cs.map((c) => ({ op: 'app' as const, host: c.to, port: c.port, ...requestFor(portOf(service(ctx, c.to), c.port), c.method) }));
        const obs = await inPod(ctx, from, ops, { uid: ctx.facts.clientUid, timeoutMs: 45_000 });
        cs.forEach((c, i) => legit.push({ edge: `${c.from} → ${c.to}:${c.port}${c.method ?? ''}`, verdict: judge(obs[i]), answer: describe(obs[i]) }));
      }),
    );
    const journey = ctx.workload.journey ? await runJourneyOnce(ctx.entryUrl, ctx.workload.journey) : undefined;

    const evidence = {
      sensitiveCall: `${target.name}:${port.port}${method ?? ''}`,
      outsider: outsider?.name ?? null,
      outsiderResult: fromOutsider ? { verdict: judge(fromOutsider), answer: describe(fromOutsider) } : null,
      unmeshedResult: { verdict: judge(fromUnmeshed), answer: describe(fromUnmeshed) },
      legitimateEdges: legit,
      journey,
    };
    const broken = legit.filter((l) => l.verdict !== 'accepted');
    const leaks = [
      ...(fromOutsider && judge(fromOutsider) === 'accepted' ? [`${outsider!.name} (outside the graph)`] : []),
      ...(judge(fromUnmeshed) === 'accepted' ? ['an unmeshed client'] : []),
    ];
    if (leaks.length) {
      return { outcome: 'fail', summary: `${leaks.join(' and ')} called ${evidence.sensitiveCall} and got through (${describe((fromOutsider && judge(fromOutsider) === 'accepted' ? fromOutsider : fromUnmeshed)!)}).`, evidence };
    }
    if (broken.length) {
      return { outcome: 'fail', summary: `Least privilege broke ${broken.length} legitimate edge(s), e.g. ${broken[0].edge}: ${broken[0].answer}.`, evidence };
    }
    if (journey && !journey.ok) {
      return { outcome: 'fail', summary: `Under least privilege the user journey failed at ${journey.failedAt}.`, evidence };
    }
    return {
      outcome: 'pass',
      summary: `Outside callers of ${evidence.sensitiveCall} were denied (${evidence.outsiderResult?.answer ?? 'no outsider'}; unmeshed: ${evidence.unmeshedResult.answer}); all ${legit.length} legitimate edges${journey ? ' and the full journey' : ''} worked.`,
      evidence,
    };
  },
};
