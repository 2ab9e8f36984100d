import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTable, type BenchRow } from './run.ts';
import { clientConfig, serverConfig, haproxyRules } from './haproxy.ts';

const row = (variant: BenchRow['variant'], p50Ms: number, p99Ms: number, cpu: number | null, rss: number | null): BenchRow => ({ protocol: 'grpc', rps: 1000, variant, achievedRps: 1000, requests: 10_000, errors: 0, p50Ms, p99Ms, cpuPctPer1k: cpu, rssMb: rss });

test('the table shows latency added over the baseline and custom/HAProxy ratios', () => {
  const out = renderTable([row('none', 1, 5, null, null), row('custom', 3, 11, 90, 75), row('haproxy', 2, 8, 30, 20)]);
  assert.match(out, /grpc\s+1000\s+custom\s+3\.00\s+11\.00\s+2\.00\s+6\.00\s+90\.0\s+75\.0/);
  assert.match(out, /grpc\s+1000\s+2\.00×\s+2\.00×\s+3\.00×\s+3\.75×/);
});

test('HAProxy is configured as an mTLS (TLS 1.3, verify required) HTTP/2 sidecar pair', () => {
  const ports = [{ port: 50051, grpc: true }];
  const c = clientConfig('/d', '10.0.0.2', ports);
  assert.match(c, /bind 127\.0\.0\.1:20051 proto h2/);
  assert.match(c, /server peer 10\.0\.0\.2:50051 ssl crt \/d\/client\.pem ca-file \/d\/root\.pem verify required alpn h2/);
  assert.match(c, /ssl-min-ver TLSv1\.3/);
  const s = serverConfig('/d', ports);
  assert.match(s, /bind 0\.0\.0\.0:30051 ssl crt \/d\/server\.pem ca-file \/d\/root\.pem verify required alpn h2/);
  assert.match(s, /server app 127\.0\.0\.1:50051 proto h2/);
  assert.deepEqual(haproxyRules('client', ports)[0].slice(-4), ['-j', 'REDIRECT', '--to-ports', '20051']);
});
