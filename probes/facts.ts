// Where MeshProbeFacts come from for each mesh. A mesh may declare them itself (`mesh.local.probeFacts(stack, workload)`);
// otherwise the facts here are written from the mesh's own documented behaviour. The baseline declares nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalStack } from '../clusters/local/stack.ts';
import type { Mesh, MeshPolicy } from '../mesh-impls/types.ts';
import type { Workload } from '../workloads/types.ts';
import type { MeshProbeFacts, ProbeWorkload } from './types.ts';

export interface LocalMeshAccess {
  facts: MeshProbeFacts;
  /** How to switch policy; for a stack attached from disk the mesh object never saw it, so this may bypass it. */
  applyPolicy(policy: MeshPolicy): Promise<void>;
}

type WithProbeFacts = { probeFacts?(stack: LocalStack, workload: ProbeWorkload): Promise<MeshProbeFacts> | MeshProbeFacts };

export async function localMeshAccess(mesh: Mesh, stack: LocalStack, workload: ProbeWorkload): Promise<LocalMeshAccess> {
  if (!mesh.local) throw new Error(`Mesh ${mesh.name} does not run on the local platform.`);
  const local = mesh.local;
  const own = (local as WithProbeFacts).probeFacts;
  const base: LocalMeshAccess = {
    facts: own ? await own.call(local, stack, workload) : {},
    applyPolicy: (policy) => local.applyPolicy(stack, policy),
  };
  if (!own && mesh.name === 'custom') return customMeshAccess(mesh, stack, workload);
  return base;
}

/** The custom mesh: SPIFFE ids under its trust domain, its CA root on disk, its operator API for policy. */
async function customMeshAccess(mesh: Mesh, stack: LocalStack, workload: ProbeWorkload): Promise<LocalMeshAccess> {
  const [{ OperatorClient }, { spiffeId }, { strictPolicy }] = await Promise.all([
    import('../mesh-impls/custom/cli/client.ts'),
    import('../mesh-impls/custom/shared/pki.ts'),
    import('../mesh-impls/custom/index.ts'),
  ]);
  const info = stack.state.info.customMesh as { operatorUrl: string; cpDir: string } | undefined;
  if (!info) throw new Error(`Stack ${stack.slot} records no custom mesh (state.info.customMesh is missing). Fix: bring it up with \`npm run up -- --mesh custom\`.`);
  const opts = (mesh.local as unknown as { opts: { trustDomain: string; namespace: string; certLifetimeMs: number } }).opts;
  const api = new OperatorClient(info.operatorUrl, () => readFileSync(join(info.cpDir, 'operator-token'), 'utf8').trim());
  // The policy in force now is this stack's default (the profile it was brought up with).
  const current = await api.getPolicy();
  const pods = new Set(workload.services.map((s) => s.name));
  const waitForVersion = async (version: number) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const check = await api.check();
      const behind = check.pods.filter((p) => pods.has(p.pod) && (p.configVersion ?? 0) < version);
      if (behind.length === 0) return;
      if (Date.now() > deadline) throw new Error(`custom mesh proxies did not pick up policy v${version}: ${behind.map((p) => p.pod).join(', ')}`);
      await sleep(100);
    }
  };
  return {
    facts: {
      identityFormat: 'spiffe',
      expectedIdentity: (svc) => spiffeId(opts.trustDomain, opts.namespace, svc.serviceAccount),
      trustAnchorsPem: async () => readFileSync(join(info.cpDir, 'ca', 'root.pem'), 'utf8'),
      maxCertLifetimeS: Math.round(opts.certLifetimeMs / 1000),
      adminEndpoints: workload.services.map((s) => ({ pod: s.name, url: 'http://127.0.0.1:4191/metrics' })),
      defaultPolicy: current.policy,
      strictPolicy: strictPolicy(workload as Workload),
    },
    async applyPolicy(policy) {
      const { version } = await api.setPolicy(policy);
      await waitForVersion(version);
    },
  };
}
