// Online Boutique on the local platform, deployed by the real driver with mesh "none": twelve pods in their own
// network namespaces. One deployment serves three checks: an order placed over HTTP then the cart checked empty
// through gRPC; the same in headless Chromium; and redis-server stopped mid-run (cart errors, no crash, recovery).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { localDriver, type LocalDeployment } from '../../clusters/local/driver.ts';
import { loadMesh } from '../../mesh-impls/index.ts';
import { withBrowser } from '../../reports/browser.ts';
import { checkHealth, connect } from './local/grpc.ts';
import workload from './index.ts';

let d: LocalDeployment;
const runDir = mkdtempSync(join(tmpdir(), 'meshbench-ob-'));
const podIp = (service: string) => d.pods.find((p) => p.service === service)!.ip;

before(async () => {
  d = (await localDriver.deploy(workload, await loadMesh('none'), { runDir, rep: 1, log: () => {} })) as LocalDeployment;
});
after(async () => {
  await d?.teardown();
  rmSync(runDir, { recursive: true, force: true });
});

/** Form posts with the session cookie, redirects left unfollowed. */
async function post(path: string, cookie: string, form: Record<string, string | number>) {
  const res = await fetch(d.entryUrl + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie },
    body: new URLSearchParams(Object.entries(form).map(([k, v]) => [k, String(v)])),
  });
  return { status: res.status, body: await res.text() };
}

test('twelve pods up; an order over HTTP empties the cart, checked through gRPC', async () => {
  assert.equal(d.pods.length, 12);
  assert.equal(d.entryUrl, `http://${podIp('frontend')}:8080`);
  // Pods are healthy, but a frontend channel that was refused while its peer started may still be in its (short)
  // reconnect backoff: give the home page a few seconds to render.
  let home = await fetch(d.entryUrl + '/');
  for (let i = 0; i < 20 && home.status !== 200; i++) {
    await sleep(250);
    home = await fetch(d.entryUrl + '/');
  }
  const body = await home.text();
  assert.equal(body.match(/class="card product-card"/g)?.length, 9, `HTTP ${home.status}: ${body.slice(0, 2000)}\n${await d.logExcerpt(10)}`);
  const cookie = home.headers.getSetCookie()[0]!.split(';')[0]!;
  const userId = cookie.split('=')[1]!;

  assert.equal((await post('/cart', cookie, { product_id: '1YMWWN1N4O', quantity: 3 })).status, 302);
  const cart = connect('CartService', `${podIp('cartservice')}:7070`);
  assert.deepEqual((await cart.GetCart({ user_id: userId })).items, [{ product_id: '1YMWWN1N4O', quantity: 3 }]);

  const order = await post('/cart/checkout', cookie, {
    email: 'e2e@example.com', street_address: '1 Test Way', zip_code: 10001, city: 'New York', state: 'NY', country: 'United States',
    credit_card_number: '4111111111111111', credit_card_expiration_month: 12, credit_card_expiration_year: new Date().getFullYear() + 2, credit_card_cvv: 123,
  });
  assert.equal(order.status, 200, order.body);
  assert.match(order.body, /Your order is complete!/);
  assert.match(order.body, /id="total-paid">\$338\.96</); // 3 × 109.99 + 8.99
  assert.deepEqual((await cart.GetCart({ user_id: userId })).items, []);
});

test('headless Chromium: the home page lists 9 products and an order goes through', async () => {
  await withBrowser(async (ctx) => {
    const page = await ctx.newPage();
    await page.goto(d.entryUrl + '/');
    assert.equal(await page.locator('.product-card').count(), 9);
    await page.locator('.product-card a').first().click();
    await page.waitForURL(/\/product\/[A-Z0-9]{10}$/);
    await page.selectOption('select[name=quantity]', '2');
    await page.click('#add-to-cart');
    await page.waitForURL(/\/cart$/);
    assert.equal(await page.textContent('#cart-size'), '2');
    await page.click('#place-order');
    await page.waitForSelector('#order-id');
    assert.match((await page.textContent('h1')) ?? '', /Your order is complete!/);
    assert.match((await page.textContent('#order-id')) ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(await page.textContent('#cart-size'), '0');
  });
});

test('redis-server stopped mid-run: cart errors, nothing crashes, everything recovers when it returns', async () => {
  const stack = d.stack;
  const redis = stack.processes.find((p) => p.pod === 'redis-cart')!;
  const others = stack.processes.filter((p) => p !== redis);
  assert.equal(others.length, 11);
  const cart = connect('CartService', `${podIp('cartservice')}:7070`, 30_000);
  const home = () => fetch(d.entryUrl + '/').then(async (r) => ({ status: r.status, body: await r.text() }));

  await stack.stopProcess(redis);
  await assert.rejects(cart.GetCart({ user_id: 'x' }), (e: { code: number }) => e.code === 9);
  assert.equal(await checkHealth(`${podIp('cartservice')}:7070`), 'NOT_SERVING');
  const down = await home();
  assert.equal(down.status, 500);
  assert.match(down.body, /cart storage/);
  assert.equal((await fetch(d.entryUrl + '/_healthz')).status, 200);
  // The user journey keeps running through the outage: the cart steps fail, the services stay up.
  const during = await d.load({ journey: workload.journey, rps: 20, durationMs: 3000, warmupMs: 0, seed: 5 });
  assert.ok(during.total.requests >= 50, `load ran (${during.total.requests} requests)`);
  assert.ok(during.total.errors.http5xx > 0, 'cart-backed pages fail while Redis is down');
  for (const p of others) assert.equal(p.child.exitCode ?? p.child.signalCode, null, `${p.pod} exited while Redis was down`);

  const spec = workload.services.find((s) => s.name === 'redis-cart')!.local({ addr: (s) => s, dataDir: runDir });
  stack.spawn('redis-cart', spec, 'app');
  const deadline = Date.now() + 60_000;
  while ((await home()).status !== 200) {
    assert.ok(Date.now() < deadline, 'the shop did not recover within 60 s of Redis returning');
    await sleep(200);
  }
  assert.equal((await home()).body.match(/class="card product-card"/g)?.length, 9);
  await cart.AddItem({ user_id: 'after-outage', item: { product_id: 'OLJCESPC7Z', quantity: 1 } });
  assert.equal((await cart.GetCart({ user_id: 'after-outage' })).items.length, 1);
  for (const p of others) assert.equal(p.child.exitCode ?? p.child.signalCode, null, `${p.pod} exited`);
});
