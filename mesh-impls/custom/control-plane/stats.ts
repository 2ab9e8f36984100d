// Aggregates proxy reports into what operators ask for: per-service success rate, RPS and latency percentiles
// (inbound traffic, like `linkerd viz stat`) and caller→callee edges with their mTLS state.
import { LATENCY_BUCKETS_MS, type ProxyReport, type TrafficRow } from '../shared/config.ts';

export interface ServiceStat {
  service: string;
  pods: number;
  requests: number;
  rps: number;
  successRate: number | null;
  denied: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  tcpOpen: number;
  meshedCallersPct: number | null;
}

export interface Edge {
  from: string;
  to: string;
  fromId: string;
  toId: string;
  tls: boolean;
  requests: number;
  denied: number;
}

/** Percentile from bucket counts: the upper bound of the bucket holding the q-th request (Prometheus-style). */
export function percentile(buckets: number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i];
    if (seen >= q * total) return i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i] : Infinity;
  }
  return Infinity;
}

const rowKey = (r: TrafficRow) => `${r.direction}|${r.peer}|${r.target}|${r.tls}`;

/** Cumulative rows of `now` minus those of `then` (a proxy restart resets counters: then the newer value stands). */
function delta(now: TrafficRow[], then: TrafficRow[] | undefined): TrafficRow[] {
  const old = new Map((then ?? []).map((r) => [rowKey(r), r]));
  return now.map((r) => {
    const o = old.get(rowKey(r));
    if (!o || o.requests > r.requests || o.tcpOpen > r.tcpOpen) return r;
    return {
      ...r,
      requests: r.requests - o.requests,
      success: r.success - o.success,
      failure: r.failure - o.failure,
      denied: r.denied - o.denied,
      latency: r.latency.map((v, i) => v - (o.latency[i] ?? 0)),
      tcpOpen: r.tcpOpen - o.tcpOpen,
      tcpClose: r.tcpClose - o.tcpClose,
      bytesIn: r.bytesIn - o.bytesIn,
      bytesOut: r.bytesOut - o.bytesOut,
    };
  });
}

export interface PodReports {
  service: string;
  /** Oldest first. */
  history: ProxyReport[];
}

export function serviceStats(pods: PodReports[], windowMs: number, now = Date.now()): ServiceStat[] {
  const by = new Map<string, { pods: number; rows: TrafficRow[]; spanMs: number }>();
  for (const p of pods) {
    const latest = p.history.at(-1);
    const entry = by.get(p.service) ?? { pods: 0, rows: [], spanMs: 0 };
    entry.pods++;
    by.set(p.service, entry);
    if (!latest) continue;
    // The newest report at least `windowMs` old is the baseline; without one, the counters since the proxy started.
    const base = p.history.filter((r) => r.at <= now - windowMs).at(-1);
    entry.rows.push(...delta(latest.rows, base?.rows).filter((r) => r.direction === 'inbound'));
    entry.spanMs = Math.max(entry.spanMs, latest.at - (base?.at ?? latest.startedAt));
  }
  return [...by].map(([service, { pods: n, rows, spanMs }]) => {
    const sum = (f: (r: TrafficRow) => number) => rows.reduce((a, r) => a + f(r), 0);
    const buckets = LATENCY_BUCKETS_MS.map((_, i) => sum((r) => r.latency[i] ?? 0)).concat(sum((r) => r.latency.at(-1) ?? 0));
    const requests = sum((r) => r.requests);
    const answered = sum((r) => r.success + r.failure);
    const meshed = rows.filter((r) => r.tls).reduce((a, r) => a + r.requests + r.tcpOpen, 0);
    const all = sum((r) => r.requests + r.tcpOpen);
    return {
      service,
      pods: n,
      requests,
      rps: spanMs > 0 ? (requests * 1000) / spanMs : 0,
      successRate: answered ? sum((r) => r.success) / answered : null,
      denied: sum((r) => r.denied),
      p50Ms: percentile(buckets, 0.5),
      p95Ms: percentile(buckets, 0.95),
      p99Ms: percentile(buckets, 0.99),
      tcpOpen: sum((r) => r.tcpOpen),
      meshedCallersPct: all ? (100 * meshed) / all : null,
    };
  });
}

/** Every caller→callee pair seen by outbound proxies, plus unmeshed callers seen by inbound proxies. */
export function edges(pods: PodReports[], serviceOfId: (id: string) => string | undefined): Edge[] {
  const out: Edge[] = [];
  for (const p of pods) {
    const latest = p.history.at(-1);
    if (!latest) continue;
    for (const r of latest.rows) {
      if (r.direction === 'outbound') {
        out.push({ from: p.service, to: r.peer, fromId: latest.identity, toId: r.target, tls: r.tls, requests: r.requests + r.tcpOpen, denied: r.denied });
      } else if (!r.tls || !r.peer) {
        out.push({ from: '(unmeshed)', to: p.service, fromId: '', toId: latest.identity, tls: r.tls, requests: r.requests + r.tcpOpen, denied: r.denied });
      } else if (r.denied > 0) {
        out.push({ from: serviceOfId(r.peer) ?? r.peer, to: p.service, fromId: r.peer, toId: latest.identity, tls: true, requests: r.requests + r.tcpOpen, denied: r.denied });
      }
    }
  }
  return out;
}
