// Bundles the custom mesh's Kubernetes entry points into single files (esbuild), with the same options as the local
// platform's build (mesh-impls/custom/build.ts), and copies the SO_ORIGINAL_DST addon next to them.
// Used by both Dockerfiles (`node mesh-impls/custom/k8s/images/bundle.mjs /out`) and by the image test, so what the
// test checks is what the images contain. Plain JavaScript: it runs before any TypeScript loader is installed.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const K8S = dirname(dirname(fileURLToPath(import.meta.url)));
export const ENTRIES = {
  'proxy.mjs': 'main/proxy.ts',
  'mesh-init.mjs': 'main/init.ts',
  'control-plane.mjs': 'main/control-plane.ts',
  'injector.mjs': 'main/injector.ts',
};
export const ADDON = join(K8S, '..', 'addon', 'build', 'Release', 'original_dst.node');

export async function bundle(outDir, { addon = true } = {}) {
  mkdirSync(outDir, { recursive: true });
  for (const [out, entry] of Object.entries(ENTRIES)) {
    await build({
      entryPoints: [join(K8S, entry)],
      outfile: join(outDir, out),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
      // Bundled CommonJS dependencies call require(); ESM output has none unless given one.
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
  }
  if (addon) {
    if (!existsSync(ADDON)) throw new Error(`addon not built at ${ADDON}: run node-gyp rebuild in mesh-impls/custom/addon first`);
    copyFileSync(ADDON, join(outDir, 'original_dst.node'));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out, flag] = process.argv.slice(2);
  if (!out || (flag && flag !== '--no-addon')) {
    console.error('usage: node bundle.mjs <out dir> [--no-addon]');
    process.exit(2);
  }
  await bundle(out, { addon: flag !== '--no-addon' });
  console.log(`bundled ${Object.keys(ENTRIES).join(', ')}${flag ? '' : ' and original_dst.node'} into ${out}`);
}
