// Online Boutique on the local platform: ten TypeScript services speaking the upstream hipstershop gRPC API, the
// in-cluster load generator, and redis-cart as a real redis-server. Names, ports, *_ADDR variables and the call
// graph follow upstream's v0.10.6 release manifest (facts.md §1), so a mesh carries the same shape of traffic here
// as on Kubernetes.
import { fileURLToPath } from 'node:url';
import type { CallEdge, ProcessSpec, ServicePort, Workload, WorkloadService } from '../types.ts';
import { APP_UID, nodeProcess } from '../process.ts';
import { onlineBoutiqueJourney } from './journey.ts';

const MAIN = fileURLToPath(new URL('./local/main.ts', import.meta.url));

type Ctx = Parameters<WorkloadService['local']>[0];

const grpcPort = (port: number): ServicePort[] => [{ name: 'grpc', port, protocol: 'grpc' }];

/** A TypeScript service: `local/main.ts <module>` listening on `port`, peers from `*_ADDR` variables. */
function tsService(name: string, module: string, port: number, peers: (ctx: Ctx) => Record<string, string> = () => ({})): WorkloadService {
  return {
    name,
    serviceAccount: name,
    ports: grpcPort(port),
    health: { kind: 'grpc', port },
    local: (ctx) => nodeProcess(name, MAIN, { PORT: String(port), ...peers(ctx) }, [module]),
  };
}

const redisCart: WorkloadService = {
  name: 'redis-cart',
  serviceAccount: 'redis-cart',
  // Redis speaks first: protocol-detecting meshes must treat the port as opaque TCP.
  ports: [{ name: 'tcp-redis', port: 6379, protocol: 'tcp', opaque: true }],
  health: { kind: 'tcp', port: 6379 },
  local: (): ProcessSpec => ({
    name: 'redis-cart',
    cmd: 'redis-server',
    args: ['--port', '6379', '--save', '', '--appendonly', 'no', '--bind', '0.0.0.0', '--protected-mode', 'no'],
    uid: APP_UID,
  }),
};

const services: WorkloadService[] = [
  {
    name: 'frontend',
    serviceAccount: 'frontend',
    ports: [{ name: 'http', port: 8080, protocol: 'http' }],
    health: { kind: 'http', port: 8080, path: '/_healthz' },
    local: (ctx) =>
      nodeProcess(
        'frontend',
        MAIN,
        {
          PORT: '8080',
          PRODUCT_CATALOG_SERVICE_ADDR: ctx.addr('productcatalogservice'),
          CURRENCY_SERVICE_ADDR: ctx.addr('currencyservice'),
          CART_SERVICE_ADDR: ctx.addr('cartservice'),
          RECOMMENDATION_SERVICE_ADDR: ctx.addr('recommendationservice'),
          SHIPPING_SERVICE_ADDR: ctx.addr('shippingservice'),
          CHECKOUT_SERVICE_ADDR: ctx.addr('checkoutservice'),
          AD_SERVICE_ADDR: ctx.addr('adservice'),
        },
        ['frontend'],
      ),
  },
  tsService('checkoutservice', 'checkout', 5050, (ctx) => ({
    PRODUCT_CATALOG_SERVICE_ADDR: ctx.addr('productcatalogservice'),
    SHIPPING_SERVICE_ADDR: ctx.addr('shippingservice'),
    PAYMENT_SERVICE_ADDR: ctx.addr('paymentservice'),
    EMAIL_SERVICE_ADDR: ctx.addr('emailservice'),
    CURRENCY_SERVICE_ADDR: ctx.addr('currencyservice'),
    CART_SERVICE_ADDR: ctx.addr('cartservice'),
  })),
  tsService('cartservice', 'cart', 7070, (ctx) => ({ REDIS_ADDR: ctx.addr('redis-cart') })),
  tsService('productcatalogservice', 'productcatalog', 3550),
  tsService('currencyservice', 'currency', 7000),
  tsService('paymentservice', 'payment', 50051),
  tsService('shippingservice', 'shipping', 50051),
  tsService('emailservice', 'email', 8080),
  tsService('recommendationservice', 'recommendation', 8080, (ctx) => ({ PRODUCT_CATALOG_SERVICE_ADDR: ctx.addr('productcatalogservice') })),
  tsService('adservice', 'ad', 9555),
  {
    name: 'loadgenerator',
    serviceAccount: 'loadgenerator',
    // Upstream's Locust runs headless without a port; ours serves its counters so the pod can be probed.
    // It starts with no users: the harness's own engine is the load, and background traffic would blur the
    // measured windows. Raise USERS to explore a stack brought up with `npm run up`.
    ports: [{ name: 'http-stats', port: 8089, protocol: 'http' }],
    health: { kind: 'http', port: 8089, path: '/_healthz' },
    local: (ctx) => nodeProcess('loadgenerator', MAIN, { PORT: '8089', FRONTEND_ADDR: ctx.addr('frontend'), USERS: '0', RATE: '1' }, ['loadgenerator']),
  },
  redisCart,
];

const m = (service: string, ...methods: string[]) => methods.map((name) => `/hipstershop.${service}/${name}`);

/** Who calls whom, with the exact gRPC methods each caller uses (what a least-privilege policy must allow). */
const callGraph: CallEdge[] = [
  { from: 'loadgenerator', to: 'frontend', port: 8080 },
  { from: 'frontend', to: 'productcatalogservice', port: 3550, methods: m('ProductCatalogService', 'ListProducts', 'GetProduct') },
  { from: 'frontend', to: 'currencyservice', port: 7000, methods: m('CurrencyService', 'GetSupportedCurrencies', 'Convert') },
  { from: 'frontend', to: 'cartservice', port: 7070, methods: m('CartService', 'AddItem', 'GetCart', 'EmptyCart') },
  { from: 'frontend', to: 'recommendationservice', port: 8080, methods: m('RecommendationService', 'ListRecommendations') },
  { from: 'frontend', to: 'shippingservice', port: 50051, methods: m('ShippingService', 'GetQuote') },
  { from: 'frontend', to: 'checkoutservice', port: 5050, methods: m('CheckoutService', 'PlaceOrder') },
  { from: 'frontend', to: 'adservice', port: 9555, methods: m('AdService', 'GetAds') },
  { from: 'checkoutservice', to: 'cartservice', port: 7070, methods: m('CartService', 'GetCart', 'EmptyCart') },
  { from: 'checkoutservice', to: 'productcatalogservice', port: 3550, methods: m('ProductCatalogService', 'GetProduct') },
  { from: 'checkoutservice', to: 'currencyservice', port: 7000, methods: m('CurrencyService', 'Convert') },
  { from: 'checkoutservice', to: 'shippingservice', port: 50051, methods: m('ShippingService', 'GetQuote', 'ShipOrder') },
  { from: 'checkoutservice', to: 'paymentservice', port: 50051, methods: m('PaymentService', 'Charge') },
  { from: 'checkoutservice', to: 'emailservice', port: 8080, methods: m('EmailService', 'SendOrderConfirmation') },
  { from: 'recommendationservice', to: 'productcatalogservice', port: 3550, methods: m('ProductCatalogService', 'ListProducts') },
  { from: 'cartservice', to: 'redis-cart', port: 6379 },
];

const onlineBoutique: Workload = {
  name: 'online-boutique',
  description: "Google's Online Boutique (v0.10.6 API and call graph): 10 TypeScript services, the Locust-style load generator and redis-cart",
  services,
  entry: { service: 'frontend', port: 8080, healthPath: '/_healthz' },
  journey: onlineBoutiqueJourney,
  callGraph,
};

export default onlineBoutique;
