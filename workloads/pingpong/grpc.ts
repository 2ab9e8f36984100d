// The PingPong gRPC service definition, loaded from pingpong.proto, shared by the server and the client.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

const definition = protoLoader.loadSync(fileURLToPath(new URL('./pingpong.proto', import.meta.url)), { keepCase: true });
const pkg = grpc.loadPackageDefinition(definition) as unknown as {
  pingpong: { PingPong: grpc.ServiceClientConstructor & { service: grpc.ServiceDefinition } };
};
export const PingPong = pkg.pingpong.PingPong;
