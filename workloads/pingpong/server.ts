// pingpong-server: answers HTTP GET /pong on HTTP_PORT and gRPC pingpong.PingPong/Ping on GRPC_PORT (with grpc.health.v1).
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { PingPong } from './grpc.ts';
import { addHealthService } from './health.ts';

const httpPort = Number(process.env.HTTP_PORT ?? 8080);
const grpcPort = Number(process.env.GRPC_PORT ?? 9090);

createServer((req, res) => {
  if (req.url?.startsWith('/pong')) {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('pong');
  } else if (req.url === '/_healthz') {
    res.end('ok');
  } else {
    res.writeHead(404).end('not found');
  }
}).listen(httpPort, () => console.log(`pingpong-server http on :${httpPort}`));

const server = new grpc.Server();
server.addService(PingPong.service, {
  Ping: (call: grpc.ServerUnaryCall<{ payload: string }, unknown>, cb: grpc.sendUnaryData<unknown>) =>
    cb(null, { payload: call.request.payload, served_by: hostname() }),
});
addHealthService(server);
server.bindAsync(`0.0.0.0:${grpcPort}`, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) throw err;
  console.log(`pingpong-server grpc on :${grpcPort}`);
});

process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
