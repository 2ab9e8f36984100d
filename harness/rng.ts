// Seeded mesh order: the same seed gives the same order on every machine, so a run's order can be reproduced from
// the seed recorded in results.json. The generator is the load engine's (mulberry32).
import { seededRandom as mulberry32 } from '../workloads/load/rng.ts';

export { mulberry32 };

/** Fisher–Yates shuffle of a copy, driven by `random`. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The mesh order for one repetition: derived from the run seed and the repetition number only. */
export function meshOrder(meshes: readonly string[], seed: number, rep: number): string[] {
  return shuffle(meshes, mulberry32((seed ^ Math.imul(rep, 0x9e3779b1)) >>> 0));
}
