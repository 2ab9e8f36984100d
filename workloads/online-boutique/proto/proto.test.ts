// demo.proto must number its fields as upstream does, or an upstream client and our services would misread each
// other on the wire. These are the numbers from the published contract (facts.md §1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadSync } from '@grpc/proto-loader';

const definition = loadSync(fileURLToPath(new URL('./demo.proto', import.meta.url)), { keepCase: true });

function fields(message: string): Record<string, [number, string]> {
  const entry = definition[`hipstershop.${message}`] as { type: { field: { name: string; number: number; type: string; label: string }[] } };
  assert.ok(entry, `message ${message} is missing`);
  return Object.fromEntries(entry.type.field.map((f) => [f.name, [f.number, f.label === 'LABEL_REPEATED' ? `repeated ${f.type}` : f.type]]));
}

test('field numbers and wire types match upstream demo.proto', () => {
  assert.deepEqual(fields('Money'), { currency_code: [1, 'TYPE_STRING'], units: [2, 'TYPE_INT64'], nanos: [3, 'TYPE_INT32'] });
  assert.deepEqual(fields('Product'), {
    id: [1, 'TYPE_STRING'], name: [2, 'TYPE_STRING'], description: [3, 'TYPE_STRING'], picture: [4, 'TYPE_STRING'],
    price_usd: [5, 'TYPE_MESSAGE'], categories: [6, 'repeated TYPE_STRING'],
  });
  assert.deepEqual(fields('Address'), {
    street_address: [1, 'TYPE_STRING'], city: [2, 'TYPE_STRING'], state: [3, 'TYPE_STRING'], country: [4, 'TYPE_STRING'], zip_code: [5, 'TYPE_INT32'],
  });
  assert.deepEqual(fields('CreditCardInfo'), {
    credit_card_number: [1, 'TYPE_STRING'], credit_card_cvv: [2, 'TYPE_INT32'], credit_card_expiration_year: [3, 'TYPE_INT32'], credit_card_expiration_month: [4, 'TYPE_INT32'],
  });
  assert.deepEqual(fields('OrderResult'), {
    order_id: [1, 'TYPE_STRING'], shipping_tracking_id: [2, 'TYPE_STRING'], shipping_cost: [3, 'TYPE_MESSAGE'], shipping_address: [4, 'TYPE_MESSAGE'], items: [5, 'repeated TYPE_MESSAGE'],
  });
  assert.deepEqual(fields('OrderItem'), { item: [1, 'TYPE_MESSAGE'], cost: [2, 'TYPE_MESSAGE'] });
  assert.deepEqual(fields('CartItem'), { product_id: [1, 'TYPE_STRING'], quantity: [2, 'TYPE_INT32'] });
  assert.deepEqual(fields('AddItemRequest'), { user_id: [1, 'TYPE_STRING'], item: [2, 'TYPE_MESSAGE'] });
  assert.deepEqual(fields('Cart'), { user_id: [1, 'TYPE_STRING'], items: [2, 'repeated TYPE_MESSAGE'] });
  assert.deepEqual(fields('ChargeRequest'), { amount: [1, 'TYPE_MESSAGE'], credit_card: [2, 'TYPE_MESSAGE'] });
  assert.deepEqual(fields('PlaceOrderRequest'), {
    user_id: [1, 'TYPE_STRING'], user_currency: [2, 'TYPE_STRING'], address: [3, 'TYPE_MESSAGE'], email: [5, 'TYPE_STRING'], credit_card: [6, 'TYPE_MESSAGE'],
  });
  assert.deepEqual(fields('ListRecommendationsRequest'), { user_id: [1, 'TYPE_STRING'], product_ids: [2, 'repeated TYPE_STRING'] });
  assert.deepEqual(fields('CurrencyConversionRequest'), { from: [1, 'TYPE_MESSAGE'], to_code: [2, 'TYPE_STRING'] });
  assert.deepEqual(fields('GetProductRequest'), { id: [1, 'TYPE_STRING'], language: [2, 'TYPE_STRING'] });
  assert.deepEqual(fields('SendOrderConfirmationRequest'), { email: [1, 'TYPE_STRING'], order: [2, 'TYPE_MESSAGE'] });
  assert.deepEqual(fields('Ad'), { redirect_url: [1, 'TYPE_STRING'], text: [2, 'TYPE_STRING'] });
});

test('services and methods match upstream', () => {
  const methods = Object.entries(definition)
    .filter(([, v]) => !('format' in v))
    .flatMap(([, svc]) => Object.values(svc as Record<string, { path: string }>).map((m) => m.path))
    .sort();
  assert.deepEqual(methods, [
    '/hipstershop.AdService/GetAds',
    '/hipstershop.CartService/AddItem',
    '/hipstershop.CartService/EmptyCart',
    '/hipstershop.CartService/GetCart',
    '/hipstershop.CheckoutService/PlaceOrder',
    '/hipstershop.CurrencyService/Convert',
    '/hipstershop.CurrencyService/GetSupportedCurrencies',
    '/hipstershop.EmailService/SendOrderConfirmation',
    '/hipstershop.PaymentService/Charge',
    '/hipstershop.ProductCatalogService/GetProduct',
    '/hipstershop.ProductCatalogService/ListProducts',
    '/hipstershop.ProductCatalogService/SearchProducts',
    '/hipstershop.RecommendationService/ListRecommendations',
    '/hipstershop.ShippingService/GetQuote',
    '/hipstershop.ShippingService/ShipOrder',
  ]);
});
