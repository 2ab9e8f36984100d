// A tiny application for the probes' tests, run inside a pod: HTTP/1.1 on one port, or gRPC (HTTP/2 cleartext,
// answering the given methods and the health check), or Redis-style TCP (PING → +PONG). Usage: app.ts '<json>'.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';

export interface AppSpec {
  port: number;
  protocol: 'http' | 'grpc' | 'tcp';
  /** gRPC methods answered with OK; others get UNIMPLEMENTED. */
  methods?: string[];
}

const HEALTH = '/grpc.health.v1.Health/Check';

function grpcServer(spec: AppSpec): http2.Http2Server {
  const known = new Set([HEALTH, ...(spec.methods ?? [])]);
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    stream.on('data', () => {});
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(known.has(path) ? { 'grpc-status': '0' } : { 'grpc-status': '12', 'grpc-message': 'unknown method' }));
      // The health check answers SERVING (field 1 = 1); other methods one empty message.
      stream.end(!known.has(path) ? undefined : path === HEALTH ? Buffer.from([0, 0, 0, 0, 2, 8, 1]) : Buffer.alloc(5));
    });
  });
  return server;
}

const spec = JSON.parse(process.argv[2]) as AppSpec;
const server =
  spec.protocol === 'grpc'
    ? grpcServer(spec)
    : spec.protocol === 'http'
      ? http.createServer((req, res) => {
          req.resume();
          req.on('end', () => res.end(`ok ${req.method} ${req.url}\n`));
        })
      : net.createServer((s) => s.on('data', () => s.write('+PONG\r\n')).on('error', () => {}));
server.listen(spec.port, '0.0.0.0', () => console.log(`app ${spec.protocol} listening on ${spec.port}`));
process.on('SIGTERM', () => process.exit(0));
