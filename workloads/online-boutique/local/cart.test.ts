// cartservice against a real redis-server on loopback: started before Redis (errors until Redis is up), the cart
// round trip, then Redis stopped mid-test (errors, NOT_SERVING, the process stays up) and started again on the same
// port (the service recovers by itself).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkHealth, connect } from './grpc.ts';
import { Loopback, freePort, waitGrpc } from './loopback.ts';

test('cart in Redis: add, get, empty; Redis down → FAILED_PRECONDITION without a crash; Redis back → recovers', async () => {
  const lb = new Loopback();
  try {
    const [redisPort, cartPort] = [await freePort(), await freePort()];
    const cartProc = lb.service('cart', { PORT: String(cartPort), REDIS_ADDR: `127.0.0.1:${redisPort}` });
    const addr = `127.0.0.1:${cartPort}`;
    const cart = connect('CartService', addr, 30_000);
    await waitGrpc(addr, 90_000, 'NOT_SERVING');
    await assert.rejects(cart.GetCart({ user_id: 'u1' }), (e: { code: number }) => e.code === 9);
    let redis = lb.redis(redisPort);
    await waitGrpc(addr);

    await cart.AddItem({ user_id: 'u1', item: { product_id: 'OLJCESPC7Z', quantity: 2 } });
    await cart.AddItem({ user_id: 'u1', item: { product_id: 'OLJCESPC7Z', quantity: 3 } });
    await cart.AddItem({ user_id: 'u1', item: { product_id: '6E92ZMYYFZ', quantity: 1 } });
    const got = await cart.GetCart({ user_id: 'u1' });
    assert.equal(got.user_id, 'u1');
    assert.deepEqual(got.items.sort((a, b) => a.product_id.localeCompare(b.product_id)), [
      { product_id: '6E92ZMYYFZ', quantity: 1 },
      { product_id: 'OLJCESPC7Z', quantity: 5 },
    ]);
    assert.deepEqual((await cart.GetCart({ user_id: 'someone-else' })).items, []);
    await assert.rejects(cart.AddItem({ user_id: 'u1', item: { product_id: 'X', quantity: 0 } }), (e: { code: number }) => e.code === 3);
    await cart.EmptyCart({ user_id: 'u1' });
    assert.deepEqual((await cart.GetCart({ user_id: 'u1' })).items, []);

    // Redis goes away: every call fails with FAILED_PRECONDITION (9) — not DEADLINE_EXCEEDED: nothing waits for
    // Redis — and health says NOT_SERVING.
    await lb.stop(redis);
    for (let i = 0; i < 5; i++) {
      await assert.rejects(cart.GetCart({ user_id: 'u1' }), (e: { code: number; details: string }) => e.code === 9 && /cart storage/.test(e.details));
      await sleep(100);
    }
    await assert.rejects(cart.AddItem({ user_id: 'u1', item: { product_id: 'OLJCESPC7Z', quantity: 1 } }), (e: { code: number }) => e.code === 9);
    assert.equal(await checkHealth(addr), 'NOT_SERVING');
    assert.equal(cartProc.child.exitCode, null, `cartservice must still run:\n${cartProc.output()}`);

    // Redis returns on the same address: the service reconnects and works again.
    redis = lb.redis(redisPort);
    await waitGrpc(addr);
    await cart.AddItem({ user_id: 'u2', item: { product_id: 'L9ECAV7KIM', quantity: 4 } });
    assert.deepEqual((await cart.GetCart({ user_id: 'u2' })).items, [{ product_id: 'L9ECAV7KIM', quantity: 4 }]);
    assert.equal(cartProc.child.exitCode, null);
    assert.match(cartProc.output(), /unreachable/);
    assert.match(cartProc.output(), /reachable again/);
  } finally {
    await lb.stopAll();
  }
});
