// frontend: the shop's HTTP server (PORT, default 8080). Every page is assembled from gRPC calls to the backend
// services, in the same pattern as upstream, so a request to the frontend fans out the way the real shop's does.
// Cookies: shop_session-id (random UUID, also the cart's user id) and shop_currency (default USD).
// Form problems answer 422; any other failure answers 500 with the reason.
import { randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Ad, Client, Money, Product } from './api.ts';
import { connect, env, listenPort, onShutdown } from './grpc.ts';
import { multiply, sum, zero } from './money.ts';
import { OFFERED_CURRENCIES, parseAddToCart, parseCheckout, parseSetCurrency } from './frontend/forms.ts';
import { cartPage, errorPage, homePage, orderPage, productPage, type CartLine, type Chrome } from './frontend/pages.ts';
import { ROBOTS_TXT, staticFile } from './frontend/static.ts';

const SESSION_COOKIE = 'shop_session-id';
const CURRENCY_COOKIE = 'shop_currency';
const COOKIE_MAX_AGE_S = 48 * 3600;
const MAX_RECOMMENDATIONS_SHOWN = 4;
const MAX_FORM_BYTES = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: string[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Peers {
  catalog: Client<'ProductCatalogService'>;
  currency: Client<'CurrencyService'>;
  cart: Client<'CartService'>;
  recommendation: Client<'RecommendationService'>;
  shipping: Client<'ShippingService'>;
  checkout: Client<'CheckoutService'>;
  ad: Client<'AdService'>;
}

interface Session {
  id: string;
  currency: string;
  /** Set-Cookie headers this response must carry. */
  setCookies: string[];
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return cookies;
}

const cookie = (name: string, value: string, maxAge = COOKIE_MAX_AGE_S) => `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax`;

function sessionOf(req: IncomingMessage): Session {
  const cookies = parseCookies(req.headers.cookie);
  const setCookies: string[] = [];
  let id = cookies.get(SESSION_COOKIE) ?? '';
  if (!/^[0-9a-f-]{36}$/.test(id)) {
    id = randomUUID();
    setCookies.push(cookie(SESSION_COOKIE, id));
  }
  const chosen = cookies.get(CURRENCY_COOKIE) ?? '';
  const currency = (OFFERED_CURRENCIES as readonly string[]).includes(chosen) ? chosen : 'USD';
  return { id, currency, setCookies };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new HttpError(413, `form larger than ${MAX_FORM_BYTES} bytes`);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export function createFrontend(peers: Peers) {
  const cartSize = (items: { quantity: number }[]) => items.reduce((n, i) => n + i.quantity, 0);
  const convert = (from: Money, to_code: string) => (from.currency_code === to_code ? Promise.resolve(from) : peers.currency.Convert({ from, to_code }));

  async function currencies(): Promise<string[]> {
    const { currency_codes } = await peers.currency.GetSupportedCurrencies({});
    return OFFERED_CURRENCIES.filter((c) => currency_codes.includes(c));
  }

  async function chrome(session: Session): Promise<Chrome> {
    const [codes, cart] = await Promise.all([currencies(), peers.cart.GetCart({ user_id: session.id })]);
    return { currencies: codes, currency: session.currency, cartSize: cartSize(cart.items) };
  }

  /** One ad for the page; the page still renders without it (as upstream: an ad failure is only logged). */
  async function chooseAd(contextKeys: string[]): Promise<Ad | null> {
    try {
      const { ads } = await peers.ad.GetAds({ context_keys: contextKeys });
      return ads.length ? ads[randomInt(ads.length)]! : null;
    } catch (err) {
      console.warn(`failed to retrieve ads: ${(err as Error).message}`);
      return null;
    }
  }

  async function recommendations(session: Session, productIds: string[]): Promise<Product[]> {
    const { product_ids } = await peers.recommendation.ListRecommendations({ user_id: session.id, product_ids: productIds });
    return Promise.all(product_ids.slice(0, MAX_RECOMMENDATIONS_SHOWN).map((id) => peers.catalog.GetProduct({ id })));
  }

  async function home(session: Session): Promise<string> {
    const [page, { products }, ad] = await Promise.all([chrome(session), peers.catalog.ListProducts({}), chooseAd([])]);
    const priced = await Promise.all(products.map(async (product) => ({ product, price: await convert(product.price_usd, session.currency) })));
    return homePage(page, priced, ad);
  }

  async function product(session: Session, id: string): Promise<string> {
    const item = await peers.catalog.GetProduct({ id });
    const [page, price, recs, ad] = await Promise.all([
      chrome(session),
      convert(item.price_usd, session.currency),
      recommendations(session, [id]),
      chooseAd(item.categories),
    ]);
    return productPage(page, { product: item, price }, recs, ad);
  }

  async function cart(session: Session): Promise<string> {
    const [codes, { items }] = await Promise.all([currencies(), peers.cart.GetCart({ user_id: session.id })]);
    const [recs, shippingUsd, lines] = await Promise.all([
      recommendations(session, items.map((i) => i.product_id)),
      peers.shipping.GetQuote({ address: null, items }),
      Promise.all(
        items.map(async (i): Promise<CartLine> => {
          const p = await peers.catalog.GetProduct({ id: i.product_id });
          return { product: p, quantity: i.quantity, price: multiply(await convert(p.price_usd, session.currency), i.quantity) };
        }),
      ),
    ]);
    const shipping = await convert(shippingUsd.cost_usd, session.currency);
    const total = lines.reduce((acc, l) => sum(acc, l.price), sum(zero(session.currency), shipping));
    const page = { currencies: codes, currency: session.currency, cartSize: cartSize(items) };
    return cartPage(page, lines, shipping, total, recs, new Date().getFullYear());
  }

  async function placeOrder(session: Session, form: URLSearchParams): Promise<string> {
    const parsed = parseCheckout(form);
    if (!parsed.ok) throw new HttpError(422, 'invalid checkout form', parsed.problems);
    const { email, address, card } = parsed.value;
    const { order } = await peers.checkout.PlaceOrder(
      { user_id: session.id, user_currency: session.currency, address, email, credit_card: card },
      30_000,
    );
    const [page, recs] = await Promise.all([chrome(session), recommendations(session, [])]);
    const total = order.items.reduce((acc, i) => sum(acc, multiply(i.cost, i.item.quantity)), sum(zero(session.currency), order.shipping_cost));
    return orderPage(page, order, total, recs);
  }

  function redirect(res: ServerResponse, session: Session, location: string, extraCookies: string[] = []): void {
    res.writeHead(302, { location, 'set-cookie': [...session.setCookies, ...extraCookies] }).end();
  }

  function sendHtml(res: ServerResponse, session: Session | null, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': session?.setCookies ?? [] }).end(body);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://frontend');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const allow = (...methods: string[]) => {
      if (!methods.includes(method)) throw new HttpError(405, `${method} ${path} is not allowed; use ${methods.join(' or ')}`, [], { allow: methods.join(', ') });
    };

    if (path === '/_healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (path === '/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(ROBOTS_TXT);
      return;
    }
    if (path.startsWith('/static/')) {
      const file = staticFile(path);
      if (!file) throw new HttpError(404, `no static file ${path}`);
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'public, max-age=3600' }).end(file.body);
      return;
    }

    const session = sessionOf(req);
    const productPath = /^\/product\/([^/]+)$/.exec(path);
    if (path === '/') {
      allow('GET', 'HEAD');
      return sendHtml(res, session, 200, await home(session));
    }
    if (productPath) {
      allow('GET', 'HEAD');
      return sendHtml(res, session, 200, await product(session, decodeURIComponent(productPath[1]!)));
    }
    if (path === '/cart' && method === 'POST') {
      const parsed = parseAddToCart(await readForm(req));
      if (!parsed.ok) throw new HttpError(422, 'invalid add-to-cart form', parsed.problems);
      const { productId, quantity } = parsed.value;
      await peers.catalog.GetProduct({ id: productId });
      await peers.cart.AddItem({ user_id: session.id, item: { product_id: productId, quantity } });
      return redirect(res, session, '/cart');
    }
    if (path === '/cart') {
      allow('GET', 'HEAD', 'POST');
      return sendHtml(res, session, 200, await cart(session));
    }
    if (path === '/cart/empty') {
      allow('POST');
      await peers.cart.EmptyCart({ user_id: session.id });
      return redirect(res, session, '/');
    }
    if (path === '/cart/checkout') {
      allow('POST');
      return sendHtml(res, session, 200, await placeOrder(session, await readForm(req)));
    }
    if (path === '/setCurrency') {
      allow('POST');
      const parsed = parseSetCurrency(await readForm(req));
      if (!parsed.ok) throw new HttpError(422, 'invalid currency', parsed.problems);
      const referer = req.headers.referer;
      return redirect(res, session, referer && sameOrigin(referer, req) ? referer : '/', [cookie(CURRENCY_COOKIE, parsed.value)]);
    }
    if (path === '/logout') {
      allow('GET');
      res.writeHead(302, { location: '/', 'set-cookie': [cookie(SESSION_COOKIE, '', -1), cookie(CURRENCY_COOKIE, '', -1)] }).end();
      return;
    }
    throw new HttpError(404, `no page at ${path}`);
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await route(req, res);
    } catch (err) {
      const e = err as Error;
      const status = err instanceof HttpError ? err.status : 500;
      const problems = err instanceof HttpError ? err.problems : [];
      if (status >= 500) console.error(`${req.method} ${req.url} → ${status}: ${e.message}`);
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
      sendHtml(res, null, status, errorPage(status, e.message, problems));
    }
  };
}

/** Only redirect back to a page of this shop (an open redirect would be a real bug in a real shop). */
function sameOrigin(referer: string, req: IncomingMessage): boolean {
  try {
    return new URL(referer).host === req.headers.host;
  } catch {
    return false;
  }
}

export async function start(): Promise<void> {
  const addr = (name: string, service: string) => env(name, `the address of ${service}`);
  const peers: Peers = {
    catalog: connect('ProductCatalogService', addr('PRODUCT_CATALOG_SERVICE_ADDR', 'productcatalogservice')),
    currency: connect('CurrencyService', addr('CURRENCY_SERVICE_ADDR', 'currencyservice')),
    cart: connect('CartService', addr('CART_SERVICE_ADDR', 'cartservice')),
    recommendation: connect('RecommendationService', addr('RECOMMENDATION_SERVICE_ADDR', 'recommendationservice')),
    shipping: connect('ShippingService', addr('SHIPPING_SERVICE_ADDR', 'shippingservice')),
    checkout: connect('CheckoutService', addr('CHECKOUT_SERVICE_ADDR', 'checkoutservice')),
    ad: connect('AdService', addr('AD_SERVICE_ADDR', 'adservice')),
  };
  const handle = createFrontend(peers);
  const port = listenPort(8080);
  const server = createServer((req, res) => void handle(req, res));
  // Longer than typical load-generator and proxy idle timeouts, so the server is not the side that closes first.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
  onShutdown(() => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeIdleConnections())));
  console.log(`frontend listening on :${port}`);
}
