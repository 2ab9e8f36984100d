// shippingservice: a flat 8.99 USD quote for any cart with items (0 for an empty one) and a random tracking id.
import { randomInt } from 'node:crypto';
import type { CartItem, Money } from './api.ts';
import { GrpcError, Status, listenPort, serve } from './grpc.ts';

export const FLAT_RATE: Money = { currency_code: 'USD', units: 8, nanos: 990_000_000 };

export function quote(items: readonly CartItem[]): Money {
  const count = items.reduce((n, i) => n + i.quantity, 0);
  return count > 0 ? FLAT_RATE : { currency_code: 'USD', units: 0, nanos: 0 };
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

/** Like "QX-582-1749302": two letters, then two digit groups. */
export function trackingId(): string {
  return `${LETTERS[randomInt(26)]}${LETTERS[randomInt(26)]}-${digits(3)}-${digits(7)}`;
}

export async function start(): Promise<void> {
  await serve(
    'ShippingService',
    {
      GetQuote: (req) => ({ cost_usd: quote(req.items) }),
      ShipOrder: (req) => {
        if (!req.address) throw new GrpcError(Status.INVALID_ARGUMENT, 'address is required');
        return { tracking_id: trackingId() };
      },
    },
    { port: listenPort(50051) },
  );
}
