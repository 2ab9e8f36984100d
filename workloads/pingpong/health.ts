// grpc.health.v1.Health/Check answering SERVING, without a .proto: the request is ignored and the response is
// HealthCheckResponse{status: SERVING} encoded by hand (field 1, varint 1).
import * as grpc from '@grpc/grpc-js';

const SERVING = Buffer.from([0x08, 0x01]);

export function addHealthService(server: grpc.Server): void {
  server.addService(
    {
      Check: {
        path: '/grpc.health.v1.Health/Check',
        requestStream: false,
        responseStream: false,
        requestSerialize: (b: Buffer) => b,
        requestDeserialize: (b: Buffer) => b,
        responseSerialize: (b: Buffer) => b,
        responseDeserialize: (b: Buffer) => b,
      },
    },
    { Check: (_call: unknown, cb: grpc.sendUnaryData<Buffer>) => cb(null, SERVING) },
  );
}
