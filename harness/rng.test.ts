import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meshOrder, mulberry32, shuffle } from './rng.ts';

const MESHES = ['none', 'custom', 'linkerd', 'consul'];

test('the same seed and repetition give the same order', () => {
  assert.deepEqual(meshOrder(MESHES, 42, 1), meshOrder(MESHES, 42, 1));
  assert.deepEqual(meshOrder(MESHES, 42, 3), meshOrder(MESHES, 42, 3));
});

test('orders are permutations and vary across repetitions and seeds', () => {
  const orders = new Set<string>();
  for (let rep = 1; rep <= 20; rep++) {
    const o = meshOrder(MESHES, 1234, rep);
    assert.deepEqual([...o].sort(), [...MESHES].sort());
    orders.add(o.join());
  }
  assert.ok(orders.size >= 8, `only ${orders.size} distinct orders in 20 repetitions`);
  assert.notDeepEqual(
    Array.from({ length: 5 }, (_, i) => meshOrder(MESHES, 1, i + 1).join()),
    Array.from({ length: 5 }, (_, i) => meshOrder(MESHES, 2, i + 1).join()),
  );
});

test('shuffle is uniform enough: each mesh leads about a quarter of the time', () => {
  const random = mulberry32(99);
  const firsts = new Map<string, number>();
  for (let i = 0; i < 4000; i++) {
    const first = shuffle(MESHES, random)[0];
    firsts.set(first, (firsts.get(first) ?? 0) + 1);
  }
  for (const m of MESHES) assert.ok(Math.abs(firsts.get(m)! - 1000) < 120, `${m} first ${firsts.get(m)} times`);
});
