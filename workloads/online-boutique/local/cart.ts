// cartservice: carts live in Redis (REDIS_ADDR), one hash per user: field = product id, value = quantity.
// When Redis is unreachable every call fails at once with FAILED_PRECONDITION (commands are not queued while
// offline), the health check reports NOT_SERVING, and the client keeps reconnecting, so the service recovers by
// itself when Redis returns. Nothing about Redis being away may crash the process.
import { createClient } from 'redis';
import type { Cart, CartItem } from './api.ts';
import { GrpcError, Status, env, listenPort, onShutdown, serve } from './grpc.ts';

const COMMAND_TIMEOUT_MS = 2000;

export interface CartStore {
  addItem(userId: string, item: CartItem): Promise<void>;
  getCart(userId: string): Promise<Cart>;
  emptyCart(userId: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const cartKey = (userId: string) => `cart:${userId}`;

export function redisCartStore(addr: string, log: (line: string) => void = console.error): CartStore {
  const client = createClient({
    url: `redis://${addr}`,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1000) },
  });
  // One line per outage rather than one per reconnect attempt.
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) log(`redis ${addr} unreachable: ${err.message}; retrying in the background`);
    down = true;
  });
  client.on('ready', () => {
    if (down) log(`redis ${addr} reachable again`);
    down = false;
  });
  // The first connect also retries forever through reconnectStrategy; its promise settles only on success or close.
  client.connect().catch((err: Error) => log(`redis connect stopped: ${err.message}`));

  async function run<T>(what: string, userId: string, op: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      if (!client.isReady) throw new Error('not connected');
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no reply within ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
      });
      return await Promise.race([op(), timeout]);
    } catch (err) {
      throw new GrpcError(Status.FAILED_PRECONDITION, `Can't access cart storage at ${addr} (${what} for ${userId}): ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    addItem: (userId, item) =>
      run('add item', userId, async () => {
        await client.hIncrBy(cartKey(userId), item.product_id, item.quantity);
      }),
    getCart: (userId) =>
      run('get cart', userId, async () => {
        const fields = await client.hGetAll(cartKey(userId));
        const items = Object.entries(fields).map(([product_id, quantity]) => ({ product_id, quantity: Number(quantity) }));
        return { user_id: userId, items };
      }),
    emptyCart: (userId) =>
      run('empty cart', userId, async () => {
        await client.del(cartKey(userId));
      }),
    ping: async () => {
      try {
        await run('ping', '-', () => client.ping());
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      client.destroy();
    },
  };
}

function validItem(item: CartItem | null | undefined): CartItem {
  if (!item || !item.product_id) throw new GrpcError(Status.INVALID_ARGUMENT, 'item.product_id is required');
  if (!Number.isInteger(item.quantity) || item.quantity <= 0) throw new GrpcError(Status.INVALID_ARGUMENT, `quantity ${item.quantity} must be a positive integer`);
  return item;
}

export async function start(): Promise<void> {
  const store = redisCartStore(env('REDIS_ADDR', 'the address of redis-cart'));
  onShutdown(() => store.close());
  await serve(
    'CartService',
    {
      AddItem: async (req) => (await store.addItem(req.user_id, validItem(req.item)), {}),
      GetCart: (req) => store.getCart(req.user_id),
      EmptyCart: async (req) => (await store.emptyCart(req.user_id), {}),
    },
    { port: listenPort(7070), healthy: () => store.ping() },
  );
}
