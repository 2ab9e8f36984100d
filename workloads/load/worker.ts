// Worker-thread entry: waits for the start time, runs one shard and posts its progress and encoded result.
import { parentPort, workerData } from 'node:worker_threads';
import { runShard, type ShardSpec } from './shard.ts';

const port = parentPort!;
port.once('message', (msg: { startEpochMs: number }) => {
  const spec: ShardSpec = { ...(workerData as Omit<ShardSpec, 'startEpochMs'>), startEpochMs: msg.startEpochMs };
  runShard(spec, (p) => port.postMessage({ type: 'progress', progress: p })).then(
    (result) => port.postMessage({ type: 'result', result }),
    (err: Error) => port.postMessage({ type: 'error', message: err.stack ?? String(err) }),
  );
});
port.postMessage({ type: 'ready' });
