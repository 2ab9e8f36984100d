// What a local stack created, kept on disk as it is created, so that a later process can remove whatever a killed
// run left behind. One file per stack under STATE_DIR; the slot number picks the stack's /24 in 198.18.0.0/15.
import { linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STATE_DIR = process.env.MESHBENCH_STATE_DIR ?? '/run/meshbench/stacks';
const MAX_SLOTS = 512; // 198.18.0.0/15 holds 512 /24s

export interface PodState {
  name: string;
  netns: string;
  hostVeth: string;
  ip: string;
  service: string;
  serviceAccount: string;
}

export interface StackState {
  slot: number;
  /** pid of the process that owns the stack; the stack is stale once it is gone (unless detached). */
  owner: number;
  /** Left running on purpose by `npm run up`; only `npm run down` removes it. */
  detached: boolean;
  createdAt: string;
  bridge: string;
  pods: PodState[];
  pids: number[];
  tempDirs: string[];
  /** Free-form facts other tools need about a running stack (entry URL, pod list, mesh...). */
  info: Record<string, unknown>;
}

export function slotPrefix(slot: number): string {
  return `mb${slot}`;
}

export function subnetOf(slot: number): { base: string; gateway: string; prefix: number } {
  const third = slot % 256;
  const second = 18 + Math.floor(slot / 256);
  return { base: `198.${second}.${third}`, gateway: `198.${second}.${third}.1`, prefix: 24 };
}

function fileOf(slot: number): string {
  return join(STATE_DIR, `slot-${slot}.json`);
}

/**
 * Claims the lowest free slot atomically: the full state is written to a private file, then hard-linked to the slot's
 * name (link fails if the name exists), so concurrent runs never share a slot and no reader sees an empty file.
 */
export function claimSlot(detached: boolean): StackState {
  mkdirSync(STATE_DIR, { recursive: true });
  const draft = join(STATE_DIR, `claim-${process.pid}-${Date.now()}.tmp`);
  try {
    for (let slot = 0; slot < MAX_SLOTS; slot++) {
      const state: StackState = {
        slot,
        owner: process.pid,
        detached,
        createdAt: new Date().toISOString(),
        bridge: `${slotPrefix(slot)}br`,
        pods: [],
        pids: [],
        tempDirs: [],
        info: {},
      };
      writeFileSync(draft, JSON.stringify(state, null, 2), { mode: 0o600 });
      try {
        linkSync(draft, fileOf(slot));
        return state;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  } finally {
    rmSync(draft, { force: true });
  }
  throw new Error(`All ${MAX_SLOTS} local stack slots in ${STATE_DIR} are taken. Fix: run \`npm run down -- --all\`.`);
}

/** Written to a temp file then renamed, so a kill mid-write never leaves a torn state file. */
export function saveState(state: StackState): void {
  const file = fileOf(state.slot);
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

export function removeState(slot: number): void {
  rmSync(fileOf(slot), { force: true });
}

export function listStates(): StackState[] {
  let names: string[];
  try {
    names = readdirSync(STATE_DIR);
  } catch {
    return [];
  }
  const states: StackState[] = [];
  for (const name of names) {
    const m = /^slot-(\d+)\.json$/.exec(name);
    if (!m) continue;
    try {
      states.push(JSON.parse(readFileSync(join(STATE_DIR, name), 'utf8')) as StackState);
    } catch {
      // Unreadable (hand-edited or from another version): treat it as an empty, ownerless stack of that slot.
      states.push({ slot: Number(m[1]), owner: 0, detached: false, createdAt: '', bridge: `${slotPrefix(Number(m[1]))}br`, pods: [], pids: [], tempDirs: [], info: {} });
    }
  }
  return states;
}

export function isAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
