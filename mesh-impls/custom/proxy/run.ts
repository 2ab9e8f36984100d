// A proxy as the whole process (local sidecar and the Kubernetes image alike): start it, drain on SIGTERM or SIGINT
// and exit 0, exit 1 if it cannot start.
import type { Proxy } from './proxy.ts';

export function runProxyProcess(proxy: Proxy, name: string): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await proxy.drain();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  proxy.start().catch((err) => {
    console.error(`${name} failed to start: ${(err as Error).stack}`);
    process.exit(1);
  });
}
