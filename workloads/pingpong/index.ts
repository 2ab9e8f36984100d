// pingpong: the smallest workload that crosses a mesh — an HTTP entry (client) that calls a server over gRPC or
// HTTP/1.1. It lets the whole pipeline run from day one and gives a clean single-hop overhead figure.
import { fileURLToPath } from 'node:url';
import type { Workload } from '../types.ts';
import { nodeProcess } from '../process.ts';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

const pingpong: Workload = {
  name: 'pingpong',
  description: 'HTTP/1.1 entry calling a gRPC + HTTP/1.1 server: one mesh hop per request',
  services: [
    {
      name: 'pingpong-server',
      serviceAccount: 'pingpong-server',
      ports: [
        { name: 'http', port: 8080, protocol: 'http' },
        { name: 'grpc', port: 9090, protocol: 'grpc' },
      ],
      health: { kind: 'grpc', port: 9090 },
      local: () => nodeProcess('pingpong-server', here('./server.ts'), { HTTP_PORT: '8080', GRPC_PORT: '9090' }),
    },
    {
      name: 'pingpong-client',
      serviceAccount: 'pingpong-client',
      ports: [{ name: 'http', port: 8080, protocol: 'http' }],
      health: { kind: 'http', port: 8080, path: '/_healthz' },
      local: () =>
        nodeProcess('pingpong-client', here('./client.ts'), {
          PORT: '8080',
          PINGPONG_SERVER_GRPC_ADDR: 'pingpong-server:9090',
          PINGPONG_SERVER_HTTP_ADDR: 'pingpong-server:8080',
        }),
    },
  ],
  entry: { service: 'pingpong-client', port: 8080, healthPath: '/_healthz' },
  journey: {
    name: 'pingpong',
    cookies: false,
    steps: [
      { name: 'ping-grpc', weight: 1, requests: [{ method: 'GET', path: '/ping?via=grpc' }] },
      { name: 'ping-http', weight: 1, requests: [{ method: 'GET', path: '/ping?via=http' }] },
    ],
  },
  callGraph: [
    { from: 'pingpong-client', to: 'pingpong-server', port: 9090, methods: ['/pingpong.PingPong/Ping'] },
    { from: 'pingpong-client', to: 'pingpong-server', port: 8080, methods: ['/pong'] },
  ],
};

export default pingpong;
