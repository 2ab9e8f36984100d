// A small seeded PRNG (mulberry32): the same seed gives the same mesh order on every machine, so a run's order can
// be reproduced from the seed recorded in results.json.
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
