import { startFixture } from './testing/fixture.ts';
import { runProbes, formatMatrix } from './index.ts';
const sidecars = process.argv[2] === 'mesh';
const t0 = Date.now();
const f = await startFixture({ sidecars });
for (const sig of ['SIGTERM','SIGINT'] as const) process.on(sig, () => void f.teardown().then(() => process.exit(1)));
console.log('fixture up in', Date.now() - t0, 'ms');
try {
  const recs = await runProbes(f.ctx, { only: process.argv[3]?.split(','), profile: sidecars ? 'strict' : 'default', long: true });
  console.log(formatMatrix(recs));
  if (process.env.V) console.log(JSON.stringify(recs.map(r => [r.probe, r.durationMs, r.evidence]), null, 1));
} finally { await f.teardown(); }
