// How a TypeScript service runs as a pod process: Node with tsx, from the repository root, as the unprivileged uid
// that Online Boutique's pods use (1000), so a mesh's iptables rules can tell app traffic from proxy traffic.
import { fileURLToPath } from 'node:url';
import type { ProcessSpec } from './types.ts';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const APP_UID = 1000;

export function nodeProcess(name: string, entry: string, env: Record<string, string> = {}, args: string[] = []): ProcessSpec {
  return {
    name,
    cmd: process.execPath,
    args: ['--import', 'tsx', entry, ...args],
    env: { NODE_ENV: 'production', ...env },
    uid: APP_UID,
    cwd: REPO_ROOT,
  };
}
