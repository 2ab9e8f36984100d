import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceStats, edges, percentile } from './stats.ts';
import { LATENCY_BUCKETS_MS, type ProxyReport, type TrafficRow } from '../shared/config.ts';

const row = (over: Partial<TrafficRow>): TrafficRow => ({ direction: 'inbound', peer: '', target: '8080', tls: true, requests: 0, success: 0, failure: 0, denied: 0, latency: new Array(LATENCY_BUCKETS_MS.length + 1).fill(0), latencySumMs: 0, tcpOpen: 0, tcpClose: 0, bytesIn: 0, bytesOut: 0, ...over });
const report = (at: number, rows: TrafficRow[]): ProxyReport => ({ pod: 'web', identity: 'spiffe://td/ns/d/sa/web', at, startedAt: 0, certNotAfter: 0, configVersion: 1, rows });

test('service stats are deltas over the window: rate, success rate, percentiles', () => {
  const lat = (fast: number, slow: number) => {
    const l = new Array(LATENCY_BUCKETS_MS.length + 1).fill(0);
    l[1] = fast; // ≤ 1 ms
    l[9] = slow; // ≤ 100 ms
    return l;
  };
  const history = [
    report(0, [row({ peer: 'spiffe://td/ns/d/sa/checkout', requests: 100, success: 100, latency: lat(100, 0) })]),
    report(10_000, [row({ peer: 'spiffe://td/ns/d/sa/checkout', requests: 300, success: 290, failure: 10, latency: lat(280, 20) })]),
  ];
  const [s] = serviceStats([{ service: 'web', history }], 10_000, 10_000);
  assert.equal(s.requests, 200);
  assert.equal(s.rps, 20);
  assert.equal(s.successRate, 190 / 200);
  assert.equal(s.p50Ms, 1);
  assert.equal(s.p99Ms, 100);
  assert.equal(percentile(new Array(LATENCY_BUCKETS_MS.length + 1).fill(0), 0.5), null);
  const e = edges([{ service: 'web', history: [report(0, [row({ direction: 'outbound', peer: 'payment', target: 'spiffe://td/ns/d/sa/payment', requests: 5 }), row({ tls: false, requests: 3 })])] }], () => undefined);
  assert.deepEqual(e.map((x) => [x.from, x.to, x.tls, x.requests]), [['web', 'payment', true, 5], ['(unmeshed)', 'web', false, 3]]);
});
