import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar, VirtualUser, drawValue, fill, validateJourney } from './virtual-user.ts';
import { seededRandom, pickWeighted } from './rng.ts';
import type { Journey } from './journey.ts';

test('cookie jar keeps name=value pairs and drops expired cookies', () => {
  const jar = new CookieJar();
  assert.equal(jar.header(), undefined);
  jar.store(['shop_session-id=abc; Path=/; HttpOnly', 'shop_currency=EUR; Max-Age=3600']);
  assert.equal(jar.header(), 'shop_session-id=abc; shop_currency=EUR');
  jar.store('shop_currency=; Max-Age=0');
  jar.store('old=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  assert.equal(jar.header(), 'shop_session-id=abc');
});

test('values: literal, oneOf, int range, years from now', () => {
  const rand = seededRandom(3);
  assert.equal(drawValue(rand, 'x'), 'x');
  for (let i = 0; i < 50; i++) {
    assert.ok(['a', 'b'].includes(drawValue(rand, { oneOf: ['a', 'b'] })));
    const n = Number(drawValue(rand, { int: [1, 10] }));
    assert.ok(Number.isInteger(n) && n >= 1 && n <= 10);
    const y = Number(drawValue(rand, { yearsFromNow: [1, 5] }, new Date('2026-06-01')));
    assert.ok(y >= 2027 && y <= 2031);
  }
  assert.equal(fill('/product/{id}', { id: 'a b' }, encodeURIComponent), '/product/a%20b');
});

test('weighted choice follows the weights and the seed', () => {
  const items = [{ weight: 1, n: 'a' }, { weight: 9, n: 'b' }];
  const rand = seededRandom(1);
  const counts = { a: 0, b: 0 };
  for (let i = 0; i < 10_000; i++) counts[pickWeighted(rand, items).n as 'a' | 'b']++;
  assert.ok(counts.a > 800 && counts.a < 1200, JSON.stringify(counts));
  const seq = (seed: number) => { const r = seededRandom(seed); return Array.from({ length: 20 }, () => pickWeighted(r, items).n).join(''); };
  assert.equal(seq(5), seq(5));
  assert.notEqual(seq(5), seq(6));
});

test('a virtual user runs onStart first, then whole steps with shared params', () => {
  const journey: Journey = {
    name: 'j', cookies: true,
    onStart: { name: 'start', weight: 1, requests: [{ method: 'GET', path: '/' }] },
    steps: [{ name: 'two', weight: 1, params: { id: { oneOf: ['p1', 'p2', 'p3'] } }, requests: [
      { method: 'GET', path: '/product/{id}' },
      { method: 'POST', path: '/cart', form: { product_id: '{id}', quantity: '2' } },
    ] }],
  };
  validateJourney(journey);
  const vu = new VirtualUser(journey, seededRandom(9));
  assert.equal(vu.next().step, 'start');
  for (let i = 0; i < 5; i++) {
    const get = vu.next();
    const post = vu.next();
    assert.equal(post.method, 'POST');
    assert.equal(post.body, `product_id=${get.path.split('/').pop()}&quantity=2`);
  }
});

test('validateJourney names the step and the fix', () => {
  assert.throws(() => validateJourney({ name: 'j', cookies: false, steps: [] }), /no steps/);
  assert.throws(() => validateJourney({ name: 'j', cookies: false, steps: [{ name: 's', weight: 0, requests: [{ method: 'GET', path: '/' }] }] }), /step "s" has weight 0/);
  assert.throws(() => validateJourney({ name: 'j', cookies: false, steps: [{ name: 's', weight: 1, requests: [{ method: 'GET', path: 'x' }] }] }), /must start with "\/"/);
});
