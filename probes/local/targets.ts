// Choosing what to probe from the workload alone (so no probe knows which mesh or workload it faces), and judging
// what came back.
import type { CallEdge, ServicePort } from '../../workloads/types.ts';
import type { LocalProbeContext, ProbeWorkload } from '../types.ts';
import type { AppObservation, AppRequest } from './tool.ts';

export type ProbeService = ProbeWorkload['services'][number];

/** The call the issue names as the most sensitive one; other workloads fall back to their last non-entry edge. */
export const SENSITIVE_METHOD = '/hipstershop.PaymentService/Charge';

export function service(ctx: LocalProbeContext, name: string): ProbeService {
  const svc = ctx.workload.services.find((s) => s.name === name);
  if (!svc) throw new Error(`Workload ${ctx.workload.name} has no service "${name}"`);
  return svc;
}

export function portOf(svc: ProbeService, port: number): ServicePort {
  return svc.ports.find((p) => p.port === port) ?? svc.ports[0];
}

/** The sensitive edge (its target is what plaintext, authz, identity and TLS probes aim at). */
export function sensitiveEdge(ctx: LocalProbeContext): CallEdge | undefined {
  const graph = ctx.workload.callGraph;
  return (
    graph.find((e) => e.methods?.includes(SENSITIVE_METHOD)) ??
    [...graph].reverse().find((e) => e.to !== ctx.workload.entry.service && e.methods?.length) ??
    [...graph].reverse().find((e) => e.to !== ctx.workload.entry.service)
  );
}

/** A meshed service that is not the ingress entry (the entry legitimately accepts plaintext from outside). */
export function targetService(ctx: LocalProbeContext): ProbeService {
  const edge = sensitiveEdge(ctx);
  if (edge) return service(ctx, edge.to);
  const inner = ctx.workload.services.find((s) => s.name !== ctx.workload.entry.service);
  if (!inner) throw new Error(`Workload ${ctx.workload.name} has only its entry service: nothing inside the mesh to probe.`);
  return inner;
}

export function mtlsPort(ctx: LocalProbeContext, svc: ProbeService): number {
  return ctx.facts.mtlsPort?.(svc) ?? svc.ports[0].port;
}

/** A request in the port's own protocol: a gRPC method (default the health check), an HTTP GET, a Redis PING. */
export function requestFor(port: ServicePort, method?: string, body?: string): AppRequest {
  if (port.protocol === 'grpc') return { protocol: 'grpc', path: method, body };
  if (port.protocol === 'http') return { protocol: 'http', path: method ?? '/', body };
  return { protocol: 'tcp', body };
}

export type Verdict = 'accepted' | 'denied' | 'refused';

/**
 * accepted: the application answered (any status it chose, even an error about our made-up request);
 * denied: a policy answer (HTTP 403, gRPC PERMISSION_DENIED / UNAUTHENTICATED);
 * refused: no application answer at all (connection refused, reset, closed, TLS alert, timeout, gRPC UNAVAILABLE).
 */
export function judge(o: AppObservation): Verdict {
  if (!o.answered) return 'refused';
  if (o.httpStatus === 403 || o.grpcCode === 7 || o.grpcCode === 16) return 'denied';
  if (o.grpcCode === 14) return 'refused';
  return 'accepted';
}

export function describe(o: AppObservation): string {
  if (!o.answered) return `no answer (${o.error ?? 'closed'})`;
  if (o.grpcCode !== undefined) return `gRPC status ${o.grpcCode}${o.grpcMessage ? ` "${o.grpcMessage.slice(0, 80)}"` : ''}`;
  if (o.httpStatus !== undefined) return `HTTP ${o.httpStatus}`;
  return `${o.bytes} bytes: ${JSON.stringify((o.head ?? '').slice(0, 40))}`;
}
