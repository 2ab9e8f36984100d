// Builds what the mesh runs: the SO_ORIGINAL_DST addon (node-gyp + g++ against the local Node headers) and single-file
// bundles of the proxy and the control plane (esbuild), so sidecars start as plain `node file.mjs` without a TypeScript
// loader in every pod. Runs lazily on first use (install/tests/bench) and is safe to call from concurrent processes.
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { $ } from 'zx';

const ROOT = dirname(fileURLToPath(import.meta.url));
export const BUILD_DIR = join(ROOT, 'build');
export const ADDON_PATH = join(ROOT, 'addon', 'build', 'Release', 'original_dst.node');
export const PROXY_JS = join(BUILD_DIR, 'proxy.mjs');
export const CONTROL_PLANE_JS = join(BUILD_DIR, 'control-plane.mjs');

function nodeGyp(): string {
  const candidates = [
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(ROOT, '..', '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`node-gyp not found (looked in ${candidates.join(', ')}). Fix: install npm with Node (it bundles node-gyp) or \`npm i -D node-gyp\`.`);
  return found;
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = `${BUILD_DIR}.lock`;
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {}
      if (i > 1200) throw new Error(`custom mesh build lock ${lock} held for too long. Fix: remove it if no build runs.`);
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function buildAddon(): Promise<void> {
  const nodedir = join(dirname(process.execPath), '..');
  if (!existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) {
    throw new Error(`Node headers not found under ${nodedir}/include/node. Fix: install the Node development headers (they ship with the official Node packages).`);
  }
  const r = await $({ quiet: true, nothrow: true, cwd: join(ROOT, 'addon') })`${process.execPath} ${nodeGyp()} rebuild --nodedir=${nodedir}`;
  if (r.exitCode !== 0 || !existsSync(ADDON_PATH)) {
    throw new Error(`Building the SO_ORIGINAL_DST addon failed (needs g++ and make):\n${r.stderr.slice(-2000)}\nFix: apt-get install -y g++ make python3`);
  }
}

let built: Promise<void> | undefined;

/** Builds the addon if missing and (re)bundles the proxy and control plane once per process. */
export function ensureBuilt(): Promise<void> {
  built ??= withLock(async () => {
    if (!existsSync(ADDON_PATH)) await buildAddon();
    mkdirSync(BUILD_DIR, { recursive: true });
    const { build } = await import('esbuild');
    for (const [entry, out] of [
      [join(ROOT, 'proxy', 'main.ts'), PROXY_JS],
      [join(ROOT, 'control-plane', 'main.ts'), CONTROL_PLANE_JS],
    ] as const) {
      const tmp = `${out}.${process.pid}.tmp`;
      await build({ entryPoints: [entry], outfile: tmp, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error', banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
      renameSync(tmp, out);
    }
  });
  return built;
}
