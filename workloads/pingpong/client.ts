// pingpong-client: the workload's entry. GET /ping?via=grpc|http calls pingpong-server over one mesh hop and answers
// with what came back, so every entry request crosses the mesh exactly once.
import { createServer } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { Agent, request } from 'undici';
import { PingPong } from './grpc.ts';

const port = Number(process.env.PORT ?? 8080);
const serverGrpc = process.env.PINGPONG_SERVER_GRPC_ADDR ?? 'pingpong-server:9090';
const serverHttp = process.env.PINGPONG_SERVER_HTTP_ADDR ?? 'pingpong-server:8080';

const grpcClient = new PingPong(serverGrpc, grpc.credentials.createInsecure());
const httpAgent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });

function viaGrpc(payload: string): Promise<string> {
  return new Promise((resolve, reject) =>
    grpcClient.Ping({ payload }, { deadline: Date.now() + 5000 }, (err: grpc.ServiceError | null, reply: { payload: string }) =>
      err ? reject(err) : resolve(reply.payload),
    ),
  );
}

async function viaHttp(): Promise<string> {
  const res = await request(`http://${serverHttp}/pong`, { dispatcher: httpAgent, headersTimeout: 5000, bodyTimeout: 5000 });
  const body = await res.body.text();
  if (res.statusCode !== 200) throw Object.assign(new Error(`server answered ${res.statusCode}`), { status: res.statusCode });
  return body;
}

createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/_healthz') return void res.end('ok');
  if (url.pathname !== '/ping') return void res.writeHead(404).end('not found');
  try {
    const via = url.searchParams.get('via') ?? 'grpc';
    const body = via === 'http' ? await viaHttp() : await viaGrpc(url.searchParams.get('payload') ?? 'ping');
    res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
  } catch (err) {
    const e = err as grpc.ServiceError & { status?: number };
    // Pass the upstream failure through: a mesh denial (gRPC 7 / HTTP 403) must stay visible to the load generator.
    const status = e.code === grpc.status.PERMISSION_DENIED || e.status === 403 ? 403 : 502;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(`upstream error: ${e.message}`);
  }
}).listen(port, () => console.log(`pingpong-client on :${port} → grpc ${serverGrpc}, http ${serverHttp}`));
