// Entry point of the sidecar process: `node proxy.mjs <bootstrap.json>`. SIGTERM drains, then exits.
import { readFileSync } from 'node:fs';
import { Proxy } from './proxy.ts';
import { runProxyProcess } from './run.ts';
import type { ProxyBootstrap } from '../shared/config.ts';

const file = process.argv[2];
if (!file) {
  console.error('usage: proxy <bootstrap.json>');
  process.exit(2);
}
const proxy = new Proxy(JSON.parse(readFileSync(file, 'utf8')) as ProxyBootstrap);
runProxyProcess(proxy, 'proxy');
