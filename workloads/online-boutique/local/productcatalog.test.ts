import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findProduct, loadCatalog, searchProducts } from './productcatalog.ts';
import { adsFor, loadAds } from './ad.ts';
import { pickRecommendations } from './recommendation.ts';
import { quote, trackingId } from './shipping.ts';

const catalog = loadCatalog();

test('the catalog holds the 9 upstream products with their USD prices', () => {
  const prices = Object.fromEntries(catalog.map((p) => [p.id, `${p.price_usd.currency_code} ${p.price_usd.units}.${p.price_usd.nanos / 1e7}`]));
  assert.deepEqual(prices, {
    OLJCESPC7Z: 'USD 19.99',
    '66VCHSJNUP': 'USD 18.99',
    '1YMWWN1N4O': 'USD 109.99',
    L9ECAV7KIM: 'USD 89.99',
    '2ZYFJ3GM2N': 'USD 24.99',
    '0PUK6V6EV0': 'USD 18.99',
    LS4PSXUNUM: 'USD 18.49',
    '9SIQT8TOJO': 'USD 5.49',
    '6E92ZMYYFZ': 'USD 8.99',
  });
  for (const p of catalog) assert.ok(p.name && p.description && p.picture.startsWith('/static/img/products/') && p.categories.length > 0, p.id);
});

test('search matches name or description, case-insensitively', () => {
  assert.deepEqual(searchProducts(catalog, 'MUG').map((p) => p.id), ['6E92ZMYYFZ']);
  assert.deepEqual(searchProducts(catalog, 'kitchen').map((p) => p.id).sort(), ['9SIQT8TOJO', 'LS4PSXUNUM']);
  assert.equal(searchProducts(catalog, 'zeppelin').length, 0);
  assert.equal(searchProducts(catalog, '').length, 9);
});

test('get by id, NOT_FOUND for unknown ids', () => {
  assert.equal(findProduct(catalog, 'L9ECAV7KIM').name, 'Loafers');
  assert.throws(() => findProduct(catalog, 'NOPE'), (e: unknown) => (e as { code: number }).code === 5);
});

test('recommendations: up to 5, random, never the input ids', () => {
  const ids = catalog.map((p) => p.id);
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const recs = pickRecommendations(ids, ['OLJCESPC7Z', '6E92ZMYYFZ']);
    assert.equal(recs.length, 5);
    assert.equal(new Set(recs).size, 5);
    assert.ok(!recs.includes('OLJCESPC7Z') && !recs.includes('6E92ZMYYFZ'));
    recs.forEach((r) => seen.add(r));
  }
  assert.equal(seen.size, 7, 'every other product shows up sometimes');
  assert.deepEqual(pickRecommendations(ids, ids.slice(0, 7)).sort(), ids.slice(7).sort());
});

test('ads: by category, else 2 random', () => {
  const ads = loadAds();
  assert.deepEqual(adsFor(ads, ['kitchen']).map((a) => a.redirect_url), ['/product/9SIQT8TOJO', '/product/6E92ZMYYFZ']);
  assert.deepEqual(adsFor(ads, ['footwear', 'nothing']).map((a) => a.text), ['Loafers for sale. Buy one, get second one for free']);
  const random = adsFor(ads, ['nothing']);
  assert.equal(random.length, 2);
  for (const ad of random) assert.match(ad.redirect_url, /^\/product\/[A-Z0-9]{10}$/);
});

test('shipping: 8.99 USD for a cart with items, 0 for an empty one; tracking ids differ', () => {
  assert.deepEqual(quote([{ product_id: 'x', quantity: 3 }]), { currency_code: 'USD', units: 8, nanos: 990_000_000 });
  assert.deepEqual(quote([]), { currency_code: 'USD', units: 0, nanos: 0 });
  assert.match(trackingId(), /^[A-Z]{2}-\d{3}-\d{7}$/);
  assert.notEqual(trackingId(), trackingId());
});
