// The load side of `npm run bench:proxy`, run inside the client pod (so its connections go through the pod's
// sidecar): `client.ts http|grpc <host:port> <rps> <durationMs> <warmupMs>` → one JSON line of latency stats.
// HTTP/1.1 uses the harness's built-in open-model engine; gRPC uses the same method (constant-rate schedule, latency
// from the intended send time) over one HTTP/2 connection, like one gRPC channel.
import * as http2 from 'node:http2';
import { performance } from 'node:perf_hooks';
import { builtinEngine } from '../../../workloads/load/engine.ts';
import { singleRequestJourney } from '../../../workloads/load/journey.ts';
import { createLatencyHistogram, recordMs, summarize } from '../../../workloads/load/histogram.ts';

const [mode, target, rpsArg, durArg, warmArg] = process.argv.slice(2);
const rps = Number(rpsArg);
const durationMs = Number(durArg);
const warmupMs = Number(warmArg);

if (mode === 'http') {
  const r = await builtinEngine.run({ baseUrl: `http://${target}`, journey: singleRequestJourney('/bench'), rps, durationMs, warmupMs, connections: 16, timeoutMs: 5000 });
  const e = r.total.errors;
  console.log(JSON.stringify({ achievedRps: r.achievedRps, requests: r.total.requests, errors: e.connect + e.timeout + e.http5xx + e.http4xx + e.other, latencyMs: r.total.latencyMs }));
} else if (mode === 'grpc') {
  const session = http2.connect(`http://${target}`);
  session.on('error', () => {});
  // One gRPC message: a 5-byte prefix (not compressed, length) and a 64-byte payload.
  const payload = Buffer.alloc(64, 7);
  const msg = Buffer.concat([Buffer.from([0, 0, 0, 0, payload.length]), payload]);
  const headers = { ':method': 'POST', ':path': '/hipstershop.PaymentService/Charge', 'content-type': 'application/grpc', te: 'trailers' };
  const h = createLatencyHistogram();
  let errors = 0;
  let measured = 0;
  let inWindowDone = 0;
  const interval = 1000 / rps;
  const total = Math.floor(((warmupMs + durationMs) * rps) / 1000);
  const start = performance.now() + 50;
  const windowStart = start + warmupMs;
  const windowEnd = windowStart + durationMs;
  let sent = 0;
  let pending = 0;
  await new Promise<void>((resolve) => {
    const send = (intended: number) => {
      pending++;
      const req = session.request(headers);
      let status = '';
      req.on('response', (hd) => {
        if (hd['grpc-status'] !== undefined) status = String(hd['grpc-status']);
      });
      req.on('trailers', (t) => (status = String(t['grpc-status'])));
      req.on('data', () => {});
      req.on('error', () => {});
      req.on('close', () => {
        const now = performance.now();
        if (intended >= windowStart && intended < windowEnd) {
          measured++;
          if (status === '0') recordMs(h, now - intended);
          else errors++;
          if (now <= windowEnd) inWindowDone++;
        }
        if (--pending === 0 && sent === total) resolve();
      });
      req.end(msg);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) send(start + sent++ * interval);
      if (sent < total) setTimeout(tick, Math.max(0, Math.min(1, start + sent * interval - performance.now())));
      else if (pending === 0) resolve();
    };
    setTimeout(tick, 50);
  });
  session.close();
  console.log(JSON.stringify({ achievedRps: inWindowDone / (durationMs / 1000), requests: measured, errors, latencyMs: summarize(h) }));
} else {
  console.error('usage: client.ts http|grpc <host:port> <rps> <durationMs> <warmupMs>');
  process.exit(2);
}
