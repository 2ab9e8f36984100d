import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateJourney, drawParams, prepareRequest } from '../load/virtual-user.ts';
import { onlineBoutiqueJourney as journey, PRODUCT_IDS } from './journey.ts';
import { loadCatalog } from './local/productcatalog.ts';
import { parseAddToCart, parseCheckout, parseSetCurrency } from './local/frontend/forms.ts';

test('the journey is upstream Locust task mix: weights, onStart index, per-user cookies', () => {
  validateJourney(journey);
  assert.equal(journey.cookies, true);
  assert.deepEqual(journey.onStart?.requests, [{ method: 'GET', path: '/' }]);
  assert.deepEqual(Object.fromEntries(journey.steps.map((s) => [s.name, s.weight])), { index: 1, setCurrency: 2, browseProduct: 10, addToCart: 2, viewCart: 3, checkout: 1 });
  assert.deepEqual([...PRODUCT_IDS].sort(), loadCatalog().map((p) => p.id).sort());
});

test("every drawn form passes the frontend's own validation (so load never trips a 422)", () => {
  const now = new Date();
  for (let i = 0; i < 200; i++) {
    for (const step of journey.steps) {
      const params = drawParams(Math.random, step);
      for (const r of step.requests) {
        const req = prepareRequest(step, r, params);
        if (req.method === 'GET') continue;
        const form = new URLSearchParams(req.body);
        const parsed = req.path === '/cart' ? parseAddToCart(form) : req.path === '/setCurrency' ? parseSetCurrency(form) : parseCheckout(form, now);
        assert.ok(parsed.ok, `${step.name} ${req.path}: ${JSON.stringify(parsed)}`);
        if (req.path === '/cart/checkout') {
          const year = Number(form.get('credit_card_expiration_year'));
          const cvv = Number(form.get('credit_card_cvv'));
          assert.ok(year > now.getFullYear() && cvv >= 100 && cvv <= 999, form.toString());
        }
      }
    }
  }
});
