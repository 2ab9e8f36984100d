// Small test apps for the custom mesh's tests and proxy benchmark, run inside pods as plain Node processes.
//   server http PORT            HTTP/1 echo: {method, path, bytes}; /slow/<ms> answers after <ms>
//   server grpc PORT            gRPC: /hipstershop.PaymentService/Charge (echoes the request bytes) + grpc.health.v1
//   client http URL N [BODY]    N sequential POSTs (BODY as body), prints {statuses:{code:count}, errors}
//   client grpc HOST:PORT N     N sequential Charge calls, prints {codes:{code:count}}
//   client health HOST:PORT     one grpc.health.v1 Check, prints {code}
//   client tcp HOST:PORT N      N sequential new TCP connections each sending a Redis PING, prints {pong, errors}
// N may be a duration instead ("8s"): repeat until it has passed.
import http from 'node:http';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js');

const raw = { requestSerialize: (b) => b, requestDeserialize: (b) => b, responseSerialize: (b) => b, responseDeserialize: (b) => b, requestStream: false, responseStream: false };
const PAYMENT = { Charge: { path: '/hipstershop.PaymentService/Charge', ...raw }, Refund: { path: '/hipstershop.PaymentService/Refund', ...raw } };
const HEALTH = { Check: { path: '/grpc.health.v1.Health/Check', ...raw } };
const [role, kind, target, nArg, body = ''] = process.argv.slice(2);
const durationMs = /^\d+s$/.test(nArg ?? '') ? Number(nArg.slice(0, -1)) * 1000 : 0;
const n = durationMs ? Infinity : Number(nArg ?? 1);
const started = Date.now();
const more = (i) => (durationMs ? Date.now() - started < durationMs : i < n);

if (role === 'server' && kind === 'http') {
  http
    .createServer((req, res) => {
      let bytes = 0;
      req.on('data', (d) => (bytes += d.length));
      req.on('end', () => {
        const text = JSON.stringify({ method: req.method, path: req.url, bytes });
        // /slow/<ms> answers after a delay (drain tests need a request in flight).
        const delay = Number(/^\/slow\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text), delay);
      });
    })
    .listen(Number(target), '0.0.0.0', () => console.log(`http on ${target}`));
} else if (role === 'server' && kind === 'grpc') {
  const server = new grpc.Server();
  server.addService(PAYMENT, { Charge: (call, cb) => cb(null, call.request), Refund: (call, cb) => cb(null, Buffer.alloc(0)) });
  // Health response: status SERVING (field 1 = 1).
  server.addService(HEALTH, { Check: (_call, cb) => cb(null, Buffer.from([0x08, 0x01])) });
  server.bindAsync(`0.0.0.0:${target}`, grpc.ServerCredentials.createInsecure(), (err) => {
    if (err) throw err;
    console.log(`grpc on ${target}`);
  });
} else if (role === 'client' && kind === 'http') {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const statuses = {};
  const proxyErrors = {};
  let errors = 0;
  for (let i = 0; more(i); i++) {
    try {
      const status = await new Promise((resolve, reject) => {
        const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) } }, (res) => {
          if (res.headers['x-mb-proxy-error']) proxyErrors[res.headers['x-mb-proxy-error']] = (proxyErrors[res.headers['x-mb-proxy-error']] ?? 0) + 1;
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', reject);
        req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
        req.end(body);
      });
      statuses[status] = (statuses[status] ?? 0) + 1;
    } catch {
      errors++;
    }
  }
  agent.destroy();
  console.log(JSON.stringify({ statuses, errors, ...(Object.keys(proxyErrors).length ? { proxyErrors } : {}) }));
} else if (role === 'client' && (kind === 'grpc' || kind === 'health')) {
  const Ctor = grpc.makeGenericClientConstructor(kind === 'grpc' ? PAYMENT : HEALTH, 'X');
  // No DNS server is reachable from a pod: skip the TXT (service config) lookup that would wait for timeouts.
  const client = new Ctor(target, grpc.credentials.createInsecure(), { 'grpc.service_config_disable_resolution': 1 });
  const codes = {};
  for (let i = 0; kind === 'grpc' ? more(i) : i < 1; i++) {
    const code = await new Promise((resolve) => {
      const m = kind === 'grpc' ? 'Charge' : 'Check';
      client[m](Buffer.from(body || 'charge-me'), { deadline: Date.now() + 10_000 }, (err) => resolve(err ? err.code : 0));
    });
    codes[code] = (codes[code] ?? 0) + 1;
  }
  client.close();
  console.log(JSON.stringify({ codes }));
} else if (role === 'client' && kind === 'tcp') {
  const net = await import('node:net');
  const [host, port] = target.split(':');
  let pong = 0;
  let errors = 0;
  for (let i = 0; more(i); i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host, port: Number(port) });
      let got = '';
      s.setTimeout(10_000, () => s.destroy());
      s.on('connect', () => s.write('PING\r\n'));
      s.on('data', (d) => {
        got += d;
        if (got.includes('\r\n')) s.end();
      });
      s.on('close', () => resolve(got.startsWith('+PONG')));
      s.on('error', () => {});
    });
    if (ok) pong++;
    else errors++;
  }
  console.log(JSON.stringify({ pong, errors }));
} else {
  console.error('usage: see the header of apps.mjs');
  process.exit(2);
}
