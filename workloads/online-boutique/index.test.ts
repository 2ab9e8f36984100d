import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadSync } from '@grpc/proto-loader';
import workload from './index.ts';
import { loadWorkload } from '../index.ts';

const UPSTREAM_PORTS: Record<string, number> = {
  frontend: 8080, checkoutservice: 5050, cartservice: 7070, productcatalogservice: 3550, currencyservice: 7000,
  paymentservice: 50051, shippingservice: 50051, emailservice: 8080, recommendationservice: 8080, adservice: 9555,
  loadgenerator: 8089, 'redis-cart': 6379,
};

test('the registry loads it; services, ports and service accounts follow upstream', async () => {
  assert.equal(await loadWorkload('online-boutique'), workload);
  assert.deepEqual(Object.fromEntries(workload.services.map((s) => [s.name, s.ports[0]!.port])), UPSTREAM_PORTS);
  for (const s of workload.services) {
    assert.equal(s.serviceAccount, s.name);
    assert.equal(s.health.port, s.ports[0]!.port, s.name);
  }
  const redis = workload.services.find((s) => s.name === 'redis-cart')!;
  assert.deepEqual(redis.ports[0], { name: 'tcp-redis', port: 6379, protocol: 'tcp', opaque: true });
  assert.deepEqual(workload.entry, { service: 'frontend', port: 8080, healthPath: '/_healthz' });
});

test('the call graph is exactly the peers each service is given through *_ADDR, at their ports', () => {
  const byName = new Map(workload.services.map((s) => [s.name, s]));
  const fromEnv = new Set<string>();
  for (const s of workload.services) {
    const spec = s.local({ addr: (peer) => `${peer}:${byName.get(peer)!.ports[0]!.port}`, dataDir: '/tmp' });
    for (const [key, value] of Object.entries(spec.env ?? {})) {
      if (key.endsWith('_ADDR')) fromEnv.add(`${s.name} → ${value}`);
    }
  }
  const fromGraph = new Set(workload.callGraph.map((e) => `${e.from} → ${e.to}:${e.port}`));
  assert.deepEqual([...fromGraph].sort(), [...fromEnv].sort());
  // Every method named in the graph exists in demo.proto under that exact path.
  const proto = loadSync(fileURLToPath(new URL('./proto/demo.proto', import.meta.url)));
  const paths = new Set(Object.values(proto).flatMap((svc) => Object.values(svc as Record<string, { path?: string }>).map((m) => m.path)));
  for (const e of workload.callGraph) {
    assert.equal(e.port, byName.get(e.to)!.ports[0]!.port);
    for (const m of e.methods ?? []) assert.ok(paths.has(m), `${m} is not a method of demo.proto`);
  }
});
