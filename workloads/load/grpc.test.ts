// The engine's gRPC request kind against a real @grpc/grpc-js server on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { builtinEngine } from './engine.ts';
import type { Journey } from './journey.ts';

const protoFile = fileURLToPath(new URL('./test-echo.proto', import.meta.url));

test('gRPC steps: unary calls with params, status codes counted by code, latency per step', async () => {
  const definition = protoLoader.loadSync(protoFile, { keepCase: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { meshbench: { test: { Echo: grpc.ServiceClientConstructor } } };
  const seen: string[] = [];
  const server = new grpc.Server();
  server.addService(pkg.meshbench.test.Echo.service, {
    Say: (call: grpc.ServerUnaryCall<{ text: string; fail_with: number }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      seen.push(call.request.text);
      if (call.request.fail_with) cb({ code: call.request.fail_with, details: 'asked to fail' });
      else cb(null, { text: call.request.text });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const journey: Journey = {
    name: 'echo',
    cookies: false,
    steps: [
      { name: 'say', weight: 3, params: { word: { oneOf: ['hello', 'world'] } }, requests: [
        { method: 'POST', path: '/meshbench.test.Echo/Say', grpc: { protoFile, message: { text: 'say {word}' } } },
      ] },
      { name: 'denied', weight: 1, requests: [
        { method: 'POST', path: '/meshbench.test.Echo/Say', grpc: { protoFile, message: { text: 'no', fail_with: 7 } } },
      ] },
    ],
  };
  try {
    const r = await builtinEngine.run({ baseUrl: `http://127.0.0.1:${port}`, journey, rps: 100, durationMs: 2000, warmupMs: 500, connections: 2 });
    assert.equal(r.total.requests, 200);
    assert.equal(r.steps.denied.errors.grpc['7'], r.steps.denied.requests, 'PERMISSION_DENIED counted under its code');
    assert.equal(r.steps.say.errors.grpc['7'], undefined);
    assert.equal(r.steps.say.requests + r.steps.denied.requests, 200);
    assert.ok(r.steps.say.latencyMs.p50 > 0 && r.steps.say.latencyMs.p50 < 1000, `p50 ${r.steps.say.latencyMs.p50}`);
    assert.ok(seen.filter((t) => t !== 'no').every((t) => t === 'say hello' || t === 'say world'), 'params filled into the message');
    console.log(`gRPC: p50 ${r.total.latencyMs.p50} ms, p99 ${r.total.latencyMs.p99} ms, achieved ${r.achievedRps} req/s`);
  } finally {
    server.forceShutdown();
  }
});

test('a gRPC request must be POST /package.Service/Method', async () => {
  const journey: Journey = { name: 'bad', cookies: false, steps: [{ name: 's', weight: 1, requests: [{ method: 'GET', path: '/Say', grpc: { protoFile } }] }] };
  await assert.rejects(builtinEngine.run({ baseUrl: 'http://127.0.0.1:1', journey, rps: 1, durationMs: 100, warmupMs: 0 }), /needs method POST and path \/package.Service\/Method/);
});
