// Traffic counters of one proxy. A row per (direction, peer, target, tls) is looked up once per connection and kept
// on the connection, so the per-request path only bumps numbers. Rendered as Prometheus text on the admin port and
// shipped as JSON rows to the control plane.
import { LATENCY_BUCKETS_MS, type TrafficRow } from '../shared/config.ts';

export class Metrics {
  readonly rows = new Map<string, TrafficRow>();
  certNotAfter = 0;
  identity = '';
  configVersion = 0;
  /** Connections refused before any protocol (TLS handshake failures, garbage). */
  tlsHandshakeErrors = 0;
  protocolErrors = 0;

  row(direction: TrafficRow['direction'], peer: string, target: string, tls: boolean): TrafficRow {
    const key = `${direction}|${peer}|${target}|${tls}`;
    let r = this.rows.get(key);
    if (!r) {
      r = { direction, peer, target, tls, requests: 0, success: 0, failure: 0, denied: 0, latency: new Array(LATENCY_BUCKETS_MS.length + 1).fill(0), latencySumMs: 0, tcpOpen: 0, tcpClose: 0, bytesIn: 0, bytesOut: 0 };
      this.rows.set(key, r);
    }
    return r;
  }

  static observe(r: TrafficRow, ms: number, ok: boolean): void {
    if (ok) r.success++;
    else r.failure++;
    r.latencySumMs += ms;
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]) i++;
    r.latency[i]++;
  }

  prometheus(): string {
    const out: string[] = [];
    const lbl = (r: TrafficRow) =>
      r.direction === 'inbound'
        ? `direction="inbound",client_id="${r.peer}",port="${r.target}",tls="${r.tls}"`
        : `direction="outbound",dst_service="${r.peer}",server_id="${r.target}",tls="${r.tls}"`;
    const family = (name: string, type: string, help: string, lines: string[]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    };
    const rows = [...this.rows.values()];
    family('request_total', 'counter', 'HTTP/gRPC requests proxied.', rows.map((r) => `request_total{${lbl(r)}} ${r.requests}`));
    family('response_total', 'counter', 'Responses by classification (failure = 5xx, gRPC server errors, transport errors).', rows.flatMap((r) => [`response_total{${lbl(r)},classification="success"} ${r.success}`, `response_total{${lbl(r)},classification="failure"} ${r.failure}`]));
    family('denied_total', 'counter', 'Requests and connections refused by authorization policy.', rows.map((r) => `denied_total{${lbl(r)}} ${r.denied}`));
    family('response_latency_ms', 'histogram', 'Time from request headers to the end of the response, ms.', rows.flatMap((r) => {
      let cum = 0;
      const lines = r.latency.map((c, i) => {
        cum += c;
        return `response_latency_ms_bucket{${lbl(r)},le="${i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i] : '+Inf'}"} ${cum}`;
      });
      return [...lines, `response_latency_ms_sum{${lbl(r)}} ${r.latencySumMs}`, `response_latency_ms_count{${lbl(r)}} ${cum}`];
    }));
    family('tcp_open_total', 'counter', 'TCP connections opened.', rows.map((r) => `tcp_open_total{${lbl(r)}} ${r.tcpOpen}`));
    family('tcp_close_total', 'counter', 'TCP connections closed.', rows.map((r) => `tcp_close_total{${lbl(r)}} ${r.tcpClose}`));
    family('tcp_read_bytes_total', 'counter', 'Bytes read from the peer side of closed connections.', rows.map((r) => `tcp_read_bytes_total{${lbl(r)}} ${r.bytesIn}`));
    family('tcp_write_bytes_total', 'counter', 'Bytes written to the peer side of closed connections.', rows.map((r) => `tcp_write_bytes_total{${lbl(r)}} ${r.bytesOut}`));
    family('identity_cert_expiration_timestamp_seconds', 'gauge', 'Expiry of the current workload certificate.', [`identity_cert_expiration_timestamp_seconds{identity="${this.identity}"} ${Math.floor(this.certNotAfter / 1000)}`]);
    family('tls_handshake_errors_total', 'counter', 'Inbound TLS handshakes that failed.', [`tls_handshake_errors_total ${this.tlsHandshakeErrors}`]);
    family('protocol_errors_total', 'counter', 'Connections dropped for malformed protocol input.', [`protocol_errors_total ${this.protocolErrors}`]);
    family('proxy_config_version', 'gauge', 'Version of the last snapshot received from the control plane.', [`proxy_config_version ${this.configVersion}`]);
    family('process_resident_memory_bytes', 'gauge', 'RSS of the proxy process.', [`process_resident_memory_bytes ${process.memoryUsage.rss()}`]);
    return out.join('\n') + '\n';
  }
}
