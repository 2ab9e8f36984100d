// Runs the test server as its own process (so its CPU is not counted as the load generator's):
//   node --import tsx workloads/load/serve.ts [delayMs]
// Prints its URL on stdout, serves until stdin closes or SIGTERM.
import { startTestServer } from './test-server.ts';

const delayMs = Number(process.argv[2] ?? 0);
const server = await startTestServer({ delayMs });
process.stdout.write(`${server.url}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
