// PlaceOrder's call sequence and failure handling, with recording peers in place of the six services (the real
// services are exercised together in shop.test.ts; here the order of calls is what is checked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeOrder, type CheckoutPeers } from './checkout.ts';
import { loadRates, convert } from './currency.ts';
import { charge } from './payment.ts';
import { loadCatalog, findProduct } from './productcatalog.ts';
import { quote, trackingId } from './shipping.ts';
import type { CartItem, Money } from './api.ts';

const rates = loadRates();
const catalog = loadCatalog();

function recordingPeers(items: CartItem[], fail: { payment?: boolean; email?: boolean } = {}) {
  const calls: string[] = [];
  let charged: Money | null = null;
  const rec = <T>(name: string, fn: () => T): Promise<T> => {
    calls.push(name);
    return Promise.resolve().then(fn);
  };
  const peers: CheckoutPeers = {
    cart: {
      GetCart: (r) => rec('GetCart', () => ({ user_id: r.user_id, items })),
      EmptyCart: () => rec('EmptyCart', () => ({})),
      AddItem: () => rec('AddItem', () => ({})),
    },
    catalog: {
      GetProduct: (r) => rec('GetProduct', () => findProduct(catalog, r.id)),
      ListProducts: () => rec('ListProducts', () => ({ products: catalog })),
      SearchProducts: () => rec('SearchProducts', () => ({ results: [] })),
    },
    currency: {
      Convert: (r) => rec('Convert', () => convert(rates, r.from!, r.to_code)),
      GetSupportedCurrencies: () => rec('GetSupportedCurrencies', () => ({ currency_codes: [] })),
    },
    shipping: {
      GetQuote: (r) => rec('GetQuote', () => ({ cost_usd: quote(r.items) })),
      ShipOrder: () => rec('ShipOrder', () => ({ tracking_id: trackingId() })),
    },
    payment: {
      Charge: (r) =>
        rec('Charge', () => {
          if (fail.payment) throw new Error('card declined');
          charged = r.amount;
          return charge(r.amount, r.credit_card);
        }),
    },
    email: {
      SendOrderConfirmation: () =>
        rec('SendOrderConfirmation', () => {
          if (fail.email) throw new Error('mail server down');
          return {};
        }),
    },
  };
  return { peers, calls, charged: () => charged };
}

const request = {
  user_id: 'u1',
  user_currency: 'EUR',
  email: 'a@example.com',
  address: { street_address: '1 Main St', city: 'Springfield', state: 'OR', country: 'US', zip_code: 97403 },
  credit_card: { credit_card_number: '4111111111111111', credit_card_cvv: 123, credit_card_expiration_year: new Date().getFullYear() + 1, credit_card_expiration_month: 6 },
};

test('PlaceOrder calls its peers in upstream order and charges items + shipping in the user currency', async () => {
  const { peers, calls, charged } = recordingPeers([
    { product_id: 'OLJCESPC7Z', quantity: 2 },
    { product_id: '6E92ZMYYFZ', quantity: 1 },
  ]);
  const { order } = await placeOrder(peers, request);
  assert.deepEqual(calls, [
    'GetCart', 'GetProduct', 'Convert', 'GetProduct', 'Convert', 'GetQuote', 'Convert', 'Charge', 'ShipOrder', 'EmptyCart', 'SendOrderConfirmation',
  ]);
  // 2 × €17.682441397 + €7.952233524 (mug) + €7.952233524 (shipping)
  assert.deepEqual(charged(), { currency_code: 'EUR', units: 51, nanos: 269_349_842 });
  assert.equal(order.items.length, 2);
  assert.deepEqual(order.shipping_cost, { currency_code: 'EUR', units: 7, nanos: 952_233_524 });
  assert.match(order.order_id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(order.shipping_address, request.address);
});

test('an email failure is only logged; a payment failure stops the order before shipping and emptying the cart', async () => {
  const emailDown = recordingPeers([{ product_id: 'OLJCESPC7Z', quantity: 1 }], { email: true });
  const { order } = await placeOrder(emailDown.peers, request);
  assert.ok(order.shipping_tracking_id);
  assert.equal(emailDown.calls.at(-1), 'SendOrderConfirmation');

  const declined = recordingPeers([{ product_id: 'OLJCESPC7Z', quantity: 1 }], { payment: true });
  await assert.rejects(placeOrder(declined.peers, request), (e: { code: number; message: string }) => e.code === 13 && /failed to charge card: card declined/.test(e.message));
  assert.ok(!declined.calls.includes('ShipOrder') && !declined.calls.includes('EmptyCart'));
});

test('PlaceOrder rejects missing fields and empty carts', async () => {
  await assert.rejects(placeOrder(recordingPeers([]).peers, { ...request, credit_card: null }), (e: { code: number }) => e.code === 3);
  const empty = recordingPeers([]);
  await assert.rejects(placeOrder(empty.peers, request), (e: { code: number }) => e.code === 9);
  assert.deepEqual(empty.calls, ['GetCart']);
});
