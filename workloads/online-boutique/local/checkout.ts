// checkoutservice: PlaceOrder in upstream's call order — GetCart → per item GetProduct + Convert → GetQuote + Convert
// → Charge → ShipOrder → EmptyCart → SendOrderConfirmation. An email failure is only logged; any other failure ends
// the order with INTERNAL naming the step, before anything later (no charge without a quote, no shipment without
// a charge).
import { randomUUID } from 'node:crypto';
import type { Api, Client, OrderItem, OrderResult } from './api.ts';
import { GrpcError, Status, connect, env, listenPort, serve } from './grpc.ts';
import { multiply, sum, zero } from './money.ts';

type PlaceOrderRequest = Api['CheckoutService']['PlaceOrder'][0];

export interface CheckoutPeers {
  cart: Client<'CartService'>;
  catalog: Client<'ProductCatalogService'>;
  currency: Client<'CurrencyService'>;
  shipping: Client<'ShippingService'>;
  payment: Client<'PaymentService'>;
  email: Client<'EmailService'>;
}

async function step<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new GrpcError(Status.INTERNAL, `failed to ${what}: ${(err as Error).message}`);
  }
}

export async function placeOrder(peers: CheckoutPeers, req: PlaceOrderRequest): Promise<{ order: OrderResult }> {
  const { user_id, user_currency, address, email, credit_card } = req;
  if (!user_id || !user_currency || !address || !email || !credit_card) {
    throw new GrpcError(Status.INVALID_ARGUMENT, 'user_id, user_currency, address, email and credit_card are all required');
  }
  const cart = await step('get user cart', () => peers.cart.GetCart({ user_id }));
  if (cart.items.length === 0) throw new GrpcError(Status.FAILED_PRECONDITION, `cart of ${user_id} is empty`);

  const items: OrderItem[] = [];
  for (const item of cart.items) {
    const product = await step(`get product ${item.product_id}`, () => peers.catalog.GetProduct({ id: item.product_id }));
    const cost = await step(`convert price of ${item.product_id}`, () => peers.currency.Convert({ from: product.price_usd, to_code: user_currency }));
    items.push({ item, cost });
  }
  const quote = await step('get shipping quote', () => peers.shipping.GetQuote({ address, items: cart.items }));
  const shipping_cost = await step('convert shipping cost', () => peers.currency.Convert({ from: quote.cost_usd, to_code: user_currency }));

  const total = items.reduce((acc, { item, cost }) => sum(acc, multiply(cost, item.quantity)), sum(zero(user_currency), shipping_cost));
  const { transaction_id } = await step('charge card', () => peers.payment.Charge({ amount: total, credit_card }));
  console.log(`payment went through (transaction_id: ${transaction_id})`);
  const { tracking_id } = await step('ship order', () => peers.shipping.ShipOrder({ address, items: cart.items }));
  await step('empty user cart', () => peers.cart.EmptyCart({ user_id }));

  const order: OrderResult = { order_id: randomUUID(), shipping_tracking_id: tracking_id, shipping_cost, shipping_address: address, items };
  try {
    await peers.email.SendOrderConfirmation({ email, order });
  } catch (err) {
    console.warn(`failed to send order confirmation to "${email}": ${(err as Error).message}`);
  }
  return { order };
}

export async function start(): Promise<void> {
  const peers: CheckoutPeers = {
    cart: connect('CartService', env('CART_SERVICE_ADDR', 'the address of cartservice')),
    catalog: connect('ProductCatalogService', env('PRODUCT_CATALOG_SERVICE_ADDR', 'the address of productcatalogservice')),
    currency: connect('CurrencyService', env('CURRENCY_SERVICE_ADDR', 'the address of currencyservice')),
    shipping: connect('ShippingService', env('SHIPPING_SERVICE_ADDR', 'the address of shippingservice')),
    payment: connect('PaymentService', env('PAYMENT_SERVICE_ADDR', 'the address of paymentservice')),
    email: connect('EmailService', env('EMAIL_SERVICE_ADDR', 'the address of emailservice')),
  };
  await serve('CheckoutService', { PlaceOrder: (req) => placeOrder(peers, req) }, { port: listenPort(5050) });
}
