// `npm run bench:proxy [-- --rates 500,1000 --duration 10 --warmup 3 --protocols http,grpc --json out.json]`
// One-hop proxy benchmark: no proxy vs the custom proxy pair vs HAProxy as the same mTLS sidecar pair.
import { parseArgs } from 'node:util';
import { benchProxy, renderTable, saveJson } from '../mesh-impls/custom/bench/run.ts';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '500,1000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    protocols: { type: 'string', default: 'http,grpc' },
    json: { type: 'string' },
  },
});
const rates = values.rates!.split(',').map(Number);
if (rates.some((r) => !Number.isFinite(r) || r <= 0)) throw new Error(`--rates must be positive numbers, e.g. 500,1000; got "${values.rates}"`);
const protocols = values.protocols!.split(',') as ('http' | 'grpc')[];
if (protocols.some((p) => p !== 'http' && p !== 'grpc')) throw new Error(`--protocols takes http and/or grpc; got "${values.protocols}"`);
const rows = await benchProxy({ rates, protocols, durationMs: Number(values.duration) * 1000, warmupMs: Number(values.warmup) * 1000, log: (l) => console.error(`bench:proxy ${l}`) });
console.log(renderTable(rows));
console.log('\nCPU: both proxies of the pair, in % of one core per 1,000 req/s. RSS: the larger of the two proxies. "+" columns: added over "none" at the same rate.');
if (values.json) saveJson(values.json, rows, { rates, protocols, at: new Date().toISOString() });
