// Building a LocalProbeContext: from a live LocalStack (the bench, tests), or from a stack `npm run up` left running,
// found through its state file.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalStack } from '../../clusters/local/stack.ts';
import { listStates, type StackState } from '../../clusters/local/state.ts';
import type { Mesh } from '../../mesh-impls/types.ts';
import { loadMesh } from '../../mesh-impls/index.ts';
import { loadWorkload } from '../../workloads/index.ts';
import type { LocalProbeContext, ProbeWorkload } from '../types.ts';
import { localMeshAccess } from '../facts.ts';

export async function localProbeContext(opts: {
  stack: LocalStack;
  workload: ProbeWorkload;
  mesh: Mesh;
  entryUrl: string;
  log?: (line: string) => void;
}): Promise<LocalProbeContext> {
  const access = await localMeshAccess(opts.mesh, opts.stack, opts.workload);
  return {
    platform: 'local',
    mesh: opts.mesh.name,
    meshesPods: opts.mesh.meshesPods,
    workload: opts.workload,
    stack: opts.stack,
    entryUrl: opts.entryUrl,
    facts: access.facts,
    applyPolicy: access.applyPolicy,
    log: opts.log,
  };
}

interface UpInfo {
  mesh: string;
  workload: string;
  entry: string;
  pods: { name: string; service: string; ip: string; ports: number[] }[];
  logDir?: string;
}

/**
 * Running stacks that `npm run up` left (detached, with the facts the driver records), newest first. A stack a live
 * bench owns is never listed: probing switches policies and adds a pod, which would disturb its measurements.
 */
export function upStacks(): (StackState & { info: UpInfo })[] {
  return listStates()
    .filter((s): s is StackState & { info: UpInfo } => typeof s.info?.mesh === 'string' && typeof s.info?.entry === 'string')
    .filter((s) => s.detached)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** The stack `npm run up` left, adopted from its state file. Never call teardown() on it: it belongs to `npm run down`. */
export function attachStack(state: StackState & { info: UpInfo }): LocalStack {
  const logDir = state.info.logDir ?? join('/tmp', `meshbench-${state.slot}-probe-logs`);
  mkdirSync(logDir, { recursive: true });
  return LocalStack.attach(state, logDir);
}

/** The probe context for the stack `npm run up -- --mesh <mesh>` left running (the newest, or the one in `slot`). */
export async function contextFromUpStack(meshName: string, opts: { slot?: number; log?: (line: string) => void } = {}): Promise<LocalProbeContext> {
  const stacks = upStacks();
  const state = stacks.find((s) => s.info.mesh === meshName && (opts.slot === undefined || s.slot === opts.slot));
  if (!state) {
    const running = stacks.map((s) => `${s.info.mesh} (${s.info.workload}, stack ${s.slot})`).join(', ') || 'none';
    throw new Error(
      `No running stack with mesh "${meshName}"${opts.slot === undefined ? '' : ` in slot ${opts.slot}`} (running: ${running}). Fix: \`npm run up -- --workload online-boutique --mesh ${meshName}\` first.`,
    );
  }
  const workload = await loadWorkload(state.info.workload);
  const mesh = await loadMesh(meshName);
  const stack = attachStack(state);
  return localProbeContext({ stack, workload, mesh, entryUrl: state.info.entry, log: opts.log });
}
