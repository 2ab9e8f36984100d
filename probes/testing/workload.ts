// The fixture's three services as a full Workload, so a real mesh can deploy them through the local platform driver
// (the custom mesh's tests) — same apps, same call graph as the fixture's own miniature mesh.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type { Workload, WorkloadService } from '../../workloads/types.ts';
import { FIXTURE_WORKLOAD, FIXTURE_APPS } from './fixture.ts';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const APP = fileURLToPath(new URL('./app.ts', import.meta.url));

export function fixtureWorkload(): Workload {
  const services: WorkloadService[] = FIXTURE_WORKLOAD.services.map((s) => ({
    ...s,
    health: s.ports[0].protocol === 'http' ? { kind: 'http', port: s.ports[0].port, path: '/' } : { kind: 'grpc', port: s.ports[0].port },
    local: () => ({ name: 'app', cmd: process.execPath, args: ['--import', TSX, APP, JSON.stringify(FIXTURE_APPS[s.name])] }),
  }));
  return { ...FIXTURE_WORKLOAD, description: 'probe test fixture: web → checkout → payment', services, journey: FIXTURE_WORKLOAD.journey! };
}
