// The whole shop as real processes on loopback (redis-server, nine gRPC services, the frontend): every frontend
// route over HTTP with the session cookie, an order placed end to end and the cart checked empty through gRPC, and
// every step of the load journey run once without an error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from './grpc.ts';
import { Loopback, startShop } from './loopback.ts';
import { VirtualUser, type StepStats } from './loadgenerator.ts';
import { onlineBoutiqueJourney } from '../journey.ts';

const lb = new Loopback();
let base = '';
let addrs: Record<string, string> = {};

before(async () => {
  ({ frontend: base, addrs } = await startShop(lb));
});
after(() => lb.stopAll());

/** A browser-ish client: keeps cookies, never follows redirects (the test looks at them). */
class Browser {
  cookies = new Map<string, string>();
  async request(method: string, path: string, form?: Record<string, string | number>, headers: Record<string, string> = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(base + path, {
      method,
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...headers },
      body: form ? new URLSearchParams(Object.entries(form).map(([k, v]) => [k, String(v)])) : undefined,
    });
    for (const line of res.headers.getSetCookie()) {
      const [name, value] = line.split(';')[0]!.split('=') as [string, string];
      if (/Max-Age=-1/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), type: res.headers.get('content-type'), body: await res.text() };
  }
}

const checkoutForm = (overrides: Record<string, string | number> = {}) => ({
  email: 'someone@example.com',
  street_address: '1600 Amphitheatre Parkway',
  zip_code: 94043,
  city: 'Mountain View',
  state: 'CA',
  country: 'United States',
  credit_card_number: '4432-8015-6152-0454',
  credit_card_expiration_month: 1,
  credit_card_expiration_year: new Date().getFullYear() + 1,
  credit_card_cvv: 672,
  ...overrides,
});

test('plain routes: health, robots, static files, 404 and 405', async () => {
  const b = new Browser();
  assert.deepEqual(await b.request('GET', '/_healthz').then((r) => [r.status, r.body]), [200, 'ok']);
  assert.match((await b.request('GET', '/robots.txt')).body, /Disallow: \//);
  assert.match((await b.request('GET', '/static/styles.css')).type ?? '', /text\/css/);
  const picture = await b.request('GET', '/static/img/products/mug.jpg');
  assert.equal(picture.type, 'image/svg+xml');
  assert.match(picture.body, /<svg/);
  assert.equal((await b.request('GET', '/static/nope.js')).status, 404);
  assert.equal((await b.request('GET', '/nowhere')).status, 404);
  const wrongMethod = await fetch(`${base}/cart/empty`);
  assert.deepEqual([wrongMethod.status, wrongMethod.headers.get('allow')], [405, 'POST']);
});

test('home page: 9 products, 6 currencies, cart size, an ad, and a new session cookie', async () => {
  const b = new Browser();
  const home = await b.request('GET', '/');
  assert.equal(home.status, 200);
  assert.equal(home.body.match(/class="card product-card"/g)?.length, 9);
  assert.equal(home.body.match(/<option value="[A-Z]{3}"/g)?.length, 6);
  assert.match(home.body, /Cart \(<span id="cart-size">0<\/span>\)/);
  assert.match(home.body, /class="ad">Advertisement: <a href="\/product\/[A-Z0-9]{10}">/);
  assert.match(b.cookies.get('shop_session-id') ?? '', /^[0-9a-f-]{36}$/);
});

test('an order end to end over HTTP with the session cookie; the cart is then empty through gRPC', async () => {
  const b = new Browser();
  await b.request('GET', '/');
  const userId = b.cookies.get('shop_session-id')!;
  const cart = connect('CartService', addrs.cart!);

  const product = await b.request('GET', '/product/OLJCESPC7Z');
  assert.equal(product.status, 200);
  assert.match(product.body, /<h1>Sunglasses<\/h1>/);
  assert.match(product.body, /Watch for sale/, 'ad chosen by the product category (accessories)');
  const recs = [...product.body.matchAll(/class="grid recommendations">(.*?)<\/div><\/div>/gs)].join('');
  assert.ok(!recs.includes('/product/OLJCESPC7Z'), 'never recommends the product on the page');
  assert.ok((product.body.match(/recommendations/g) ?? []).length > 0);

  assert.deepEqual(await b.request('POST', '/cart', { product_id: 'OLJCESPC7Z', quantity: 2 }).then((r) => [r.status, r.location]), [302, '/cart']);
  await b.request('POST', '/cart', { product_id: '6E92ZMYYFZ', quantity: 1 });
  assert.deepEqual((await cart.GetCart({ user_id: userId })).items.length, 2);

  const cartPage = await b.request('GET', '/cart');
  assert.match(cartPage.body, /id="shipping">\$8\.99</);
  assert.match(cartPage.body, /id="total">\$57\.96</); // 2 × 19.99 + 8.99 + 8.99
  assert.match(cartPage.body, /Cart \(<span id="cart-size">3<\/span>\)/);

  const set = await b.request('POST', '/setCurrency', { currency_code: 'EUR' }, { referer: `${base}/cart` });
  assert.deepEqual([set.status, set.location], [302, `${base}/cart`]);
  assert.equal(b.cookies.get('shop_currency'), 'EUR');
  assert.match((await b.request('GET', '/')).body, /€17\.68/); // 19.99 USD in EUR

  const order = await b.request('POST', '/cart/checkout', checkoutForm());
  assert.equal(order.status, 200, order.body);
  assert.match(order.body, /Your order is complete!/);
  assert.match(order.body, /id="tracking-id">[A-Z]{2}-\d{3}-\d{7}</);
  assert.match(order.body, /id="total-paid">€51\.26</); // (2 × 17.68 + 7.95 + 7.95) in EUR, from the converted parts
  assert.deepEqual((await cart.GetCart({ user_id: userId })).items, []);
  assert.match(order.body, /Cart \(<span id="cart-size">0<\/span>\)/);

  // An empty cart cannot be checked out; /cart/empty and /logout redirect home; logout drops the cookies.
  assert.equal((await b.request('POST', '/cart/checkout', checkoutForm())).status, 500);
  await b.request('POST', '/cart', { product_id: 'L9ECAV7KIM', quantity: 1 });
  assert.deepEqual(await b.request('POST', '/cart/empty').then((r) => [r.status, r.location]), [302, '/']);
  assert.deepEqual((await cart.GetCart({ user_id: userId })).items, []);
  assert.deepEqual(await b.request('GET', '/logout').then((r) => [r.status, r.location]), [302, '/']);
  assert.equal(b.cookies.size, 0);
});

test('form problems answer 422; failures behind the frontend answer 500', async () => {
  const b = new Browser();
  const badForms: Record<string, string | number>[] = [{ product_id: 'OLJCESPC7Z', quantity: 11 }, { product_id: 'OLJCESPC7Z', quantity: 'two' }, { quantity: 1 }];
  for (const form of badForms) {
    assert.equal((await b.request('POST', '/cart', form)).status, 422, JSON.stringify(form));
  }
  assert.equal((await b.request('POST', '/setCurrency', { currency_code: 'XYZ' })).status, 422);
  const bad = await b.request('POST', '/cart/checkout', checkoutForm({ email: 'not-an-address', credit_card_expiration_month: 13, zip_code: 'abc' }));
  assert.equal(bad.status, 422);
  assert.match(bad.body, /email &quot;not-an-address&quot; is not an e-mail address/);
  assert.match(bad.body, /credit_card_expiration_month must be between 1 and 12/);
  assert.match(bad.body, /zip_code must be a whole number/);

  assert.equal((await b.request('POST', '/cart', { product_id: 'NOSUCHITEM', quantity: 1 })).status, 500);
  assert.equal((await b.request('GET', '/product/NOSUCHITEM')).status, 500);
  await b.request('POST', '/cart', { product_id: 'OLJCESPC7Z', quantity: 1 });
  const expired = await b.request('POST', '/cart/checkout', checkoutForm({ credit_card_expiration_year: new Date().getFullYear() - 1 }));
  assert.equal(expired.status, 500);
  assert.match(expired.body, /expired/);
  const amex = await b.request('POST', '/cart/checkout', checkoutForm({ credit_card_number: '378282246310005' }));
  assert.match(amex.body, /Only VISA or MasterCard/);
});

test('every step of the load journey succeeds against the shop', async () => {
  const stats = new Map<string, StepStats>();
  const user = new VirtualUser(`${base}/`, stats);
  const journey = onlineBoutiqueJourney;
  await user.run(journey.onStart!);
  for (let round = 0; round < 3; round++) for (const step of journey.steps) await user.run(step);
  assert.deepEqual([...stats.keys()].sort(), ['addToCart', 'browseProduct', 'checkout', 'index', 'setCurrency', 'viewCart']);
  for (const [name, s] of stats) assert.equal(s.failures, 0, `${name} failed ${s.failures} of ${s.requests} requests`);
});
