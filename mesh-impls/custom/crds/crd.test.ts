// The platform validator reads mesh CRDs from mesh-impls/<mesh>/crds/. Ours is generated from code
// (k8s/crd.ts), so the copy here must stay the same as what the install applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { policyCrdYaml } from '../k8s/crd.ts';

test('the vendored MeshPolicy CRD is what the install applies', () => {
  const vendored = readFileSync(new URL('./mesh.meshbench.io.yaml', import.meta.url), 'utf8');
  assert.equal(
    vendored,
    policyCrdYaml(),
    'regenerate: npx tsx -e "import(\'./mesh-impls/custom/k8s/crd.ts\').then((m) => process.stdout.write(m.policyCrdYaml()))" > mesh-impls/custom/crds/mesh.meshbench.io.yaml',
  );
});
