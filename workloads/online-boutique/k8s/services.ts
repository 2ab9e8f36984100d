// Online Boutique as the upstream v0.10.6 release manifest (release/kubernetes-manifests.yaml) deploys it, written as
// data: image, ports, env, resources, probes per service. Sources: facts.md §1 and the upstream release manifests
// (structure of v0.10.x: one ServiceAccount per service, native gRPC probes, uid 1000, read-only root, caps dropped).
import type { PortProtocol } from '../../types.ts';

export const RELEASE = 'v0.10.6';
/** Registry path of the release images (facts.md §1). */
export const REGISTRY = 'us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo';

/**
 * Image digests of the v0.10.6 images. Recorded from a third-party validation script that pulled them
 * (GitHub code search, "online-boutique-ci/microservices-demo/<svc>:v0.10.6@sha256:…"), not from Google's release
 * page, which was not available while writing; a wrong digest fails the pull loudly rather than running other code.
 * Verify with `docker buildx imagetools inspect <image>:v0.10.6` when upgrading.
 */
export const DIGESTS: Record<string, string> = {
  adservice: 'sha256:f580c4853e896dd2083f0c270c4b7aa5feda6dd56058a93b87d0c88334a4c07d',
  cartservice: 'sha256:b5c29ddb3238474ea8d1842f07004fedeeae47f660627ab111a613a681cd0356',
  checkoutservice: 'sha256:ab40699b6d9e45c9a93b5427008f327fbe912465361e2ff7a1a1be7111e36134',
  currencyservice: 'sha256:7b2f3f804555c926861d67cd22c1b7c9e32d46b81cf1a64dd3089ae424d73be9',
  emailservice: 'sha256:77fd45d411b3550cbd39e30bda83ed6ea23d87fd6e58e69cf9fa2808e003984d',
  frontend: 'sha256:c06df08eccd78568a37292cfbe889df42fac48691b7fb05f2deeba0ae8d669ef',
  paymentservice: 'sha256:735b6d3255e2c74b0135a95cfc2337987e492f24e163c0bb9a853635876993c4',
  productcatalogservice: 'sha256:fb8568ecfc948717eb07746a6ce360fb8e5f906ae8a874cbad666891f0d21790',
  recommendationservice: 'sha256:5d8321f2d24132889f654f75308e541b0626e6ae0cbacf81b170e5eb0921b415',
  shippingservice: 'sha256:8527bafff8c8776e345f2dca0641f6e8595b053ce67f9a5af66f5a85d9eaca9d',
};
/** redis-cart uses the public redis image, as upstream (digest from the same source as above). */
export const REDIS_IMAGE = 'redis:alpine@sha256:9d317178eceac8454a2284a9e6df2466b93c745529947f0cd42a0fa9609d7005';

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export type Probe =
  | { kind: 'grpc'; port: number; initialDelaySeconds?: number; periodSeconds?: number }
  | { kind: 'http'; port: number; path: string; cookie: string; initialDelaySeconds?: number }
  | { kind: 'tcp'; port: number; periodSeconds?: number };

export interface BoutiqueService {
  name: string;
  image: string;
  containerName: string;
  containerPort: number;
  /** Service port name and number (targetPort is containerPort). Port name `grpc`/`http` as upstream; redis `tcp-redis`. */
  port: { name: string; port: number; protocol: PortProtocol; opaque?: boolean };
  env: Record<string, string>;
  resources: Resources;
  readiness: Probe;
  liveness: Probe;
  terminationGracePeriodSeconds?: number;
  /** Services this one calls (by name), for the call graph and policies. */
  calls: readonly string[];
  /** Extra Services selecting the same pods (upstream: frontend-external, a LoadBalancer). */
  extraServices?: readonly { name: string; type: 'LoadBalancer' | 'ClusterIP' }[];
  /** Needs a writable volume (redis /data). */
  dataVolume?: string;
}

const image = (svc: string) => `${REGISTRY}/${svc}:${RELEASE}@${DIGESTS[svc]}`;
const small: Resources = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
const grpc = (port: number, extra: Partial<Extract<Probe, { kind: 'grpc' }>> = {}): Probe => ({ kind: 'grpc', port, ...extra });

/** Peer addresses as the upstream manifest sets them (Service name:Service port). */
export const ADDR = {
  PRODUCT_CATALOG_SERVICE_ADDR: 'productcatalogservice:3550',
  CURRENCY_SERVICE_ADDR: 'currencyservice:7000',
  CART_SERVICE_ADDR: 'cartservice:7070',
  RECOMMENDATION_SERVICE_ADDR: 'recommendationservice:8080',
  SHIPPING_SERVICE_ADDR: 'shippingservice:50051',
  CHECKOUT_SERVICE_ADDR: 'checkoutservice:5050',
  AD_SERVICE_ADDR: 'adservice:9555',
  PAYMENT_SERVICE_ADDR: 'paymentservice:50051',
  EMAIL_SERVICE_ADDR: 'emailservice:5000',
  REDIS_ADDR: 'redis-cart:6379',
} as const;

export const SERVICES: readonly BoutiqueService[] = [
  {
    name: 'emailservice', image: image('emailservice'), containerName: 'server', containerPort: 8080,
    port: { name: 'grpc', port: 5000, protocol: 'grpc' },
    env: { PORT: '8080', DISABLE_PROFILER: '1' }, resources: small,
    readiness: grpc(8080, { periodSeconds: 5 }), liveness: grpc(8080, { periodSeconds: 5 }),
    terminationGracePeriodSeconds: 5, calls: [],
  },
  {
    name: 'checkoutservice', image: image('checkoutservice'), containerName: 'server', containerPort: 5050,
    port: { name: 'grpc', port: 5050, protocol: 'grpc' },
    env: {
      PORT: '5050',
      PRODUCT_CATALOG_SERVICE_ADDR: ADDR.PRODUCT_CATALOG_SERVICE_ADDR, SHIPPING_SERVICE_ADDR: ADDR.SHIPPING_SERVICE_ADDR,
      PAYMENT_SERVICE_ADDR: ADDR.PAYMENT_SERVICE_ADDR, EMAIL_SERVICE_ADDR: ADDR.EMAIL_SERVICE_ADDR,
      CURRENCY_SERVICE_ADDR: ADDR.CURRENCY_SERVICE_ADDR, CART_SERVICE_ADDR: ADDR.CART_SERVICE_ADDR,
    },
    resources: small, readiness: grpc(5050), liveness: grpc(5050),
    calls: ['productcatalogservice', 'shippingservice', 'paymentservice', 'emailservice', 'currencyservice', 'cartservice'],
  },
  {
    name: 'recommendationservice', image: image('recommendationservice'), containerName: 'server', containerPort: 8080,
    port: { name: 'grpc', port: 8080, protocol: 'grpc' },
    env: { PORT: '8080', PRODUCT_CATALOG_SERVICE_ADDR: ADDR.PRODUCT_CATALOG_SERVICE_ADDR, DISABLE_PROFILER: '1' },
    resources: { requests: { cpu: '100m', memory: '220Mi' }, limits: { cpu: '200m', memory: '450Mi' } },
    readiness: grpc(8080, { periodSeconds: 5 }), liveness: grpc(8080, { periodSeconds: 5 }),
    terminationGracePeriodSeconds: 5, calls: ['productcatalogservice'],
  },
  {
    name: 'frontend', image: image('frontend'), containerName: 'server', containerPort: 8080,
    port: { name: 'http', port: 80, protocol: 'http' },
    env: {
      PORT: '8080',
      PRODUCT_CATALOG_SERVICE_ADDR: ADDR.PRODUCT_CATALOG_SERVICE_ADDR, CURRENCY_SERVICE_ADDR: ADDR.CURRENCY_SERVICE_ADDR,
      CART_SERVICE_ADDR: ADDR.CART_SERVICE_ADDR, RECOMMENDATION_SERVICE_ADDR: ADDR.RECOMMENDATION_SERVICE_ADDR,
      SHIPPING_SERVICE_ADDR: ADDR.SHIPPING_SERVICE_ADDR, CHECKOUT_SERVICE_ADDR: ADDR.CHECKOUT_SERVICE_ADDR,
      AD_SERVICE_ADDR: ADDR.AD_SERVICE_ADDR,
      // The frontend refuses to start without it (facts.md §1); nothing listens there unless the assistant is deployed.
      SHOPPING_ASSISTANT_SERVICE_ADDR: 'shoppingassistantservice:80',
      ENABLE_PROFILER: '0',
    },
    resources: small,
    readiness: { kind: 'http', port: 8080, path: '/_healthz', cookie: 'shop_session-id=x-readiness-probe', initialDelaySeconds: 10 },
    liveness: { kind: 'http', port: 8080, path: '/_healthz', cookie: 'shop_session-id=x-liveness-probe', initialDelaySeconds: 10 },
    calls: ['productcatalogservice', 'currencyservice', 'cartservice', 'recommendationservice', 'shippingservice', 'checkoutservice', 'adservice'],
    extraServices: [{ name: 'frontend-external', type: 'LoadBalancer' }],
  },
  {
    name: 'paymentservice', image: image('paymentservice'), containerName: 'server', containerPort: 50051,
    port: { name: 'grpc', port: 50051, protocol: 'grpc' },
    env: { PORT: '50051', DISABLE_PROFILER: '1' }, resources: small,
    readiness: grpc(50051), liveness: grpc(50051), terminationGracePeriodSeconds: 5, calls: [],
  },
  {
    name: 'productcatalogservice', image: image('productcatalogservice'), containerName: 'server', containerPort: 3550,
    port: { name: 'grpc', port: 3550, protocol: 'grpc' },
    env: { PORT: '3550', DISABLE_PROFILER: '1' }, resources: small,
    readiness: grpc(3550), liveness: grpc(3550), terminationGracePeriodSeconds: 5, calls: [],
  },
  {
    name: 'cartservice', image: image('cartservice'), containerName: 'server', containerPort: 7070,
    port: { name: 'grpc', port: 7070, protocol: 'grpc' },
    env: { REDIS_ADDR: ADDR.REDIS_ADDR },
    resources: { requests: { cpu: '200m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } },
    readiness: grpc(7070, { initialDelaySeconds: 15 }), liveness: grpc(7070, { initialDelaySeconds: 15, periodSeconds: 10 }),
    terminationGracePeriodSeconds: 5, calls: ['redis-cart'],
  },
  {
    name: 'currencyservice', image: image('currencyservice'), containerName: 'server', containerPort: 7000,
    port: { name: 'grpc', port: 7000, protocol: 'grpc' },
    env: { PORT: '7000', DISABLE_PROFILER: '1' }, resources: small,
    readiness: grpc(7000), liveness: grpc(7000), terminationGracePeriodSeconds: 5, calls: [],
  },
  {
    name: 'shippingservice', image: image('shippingservice'), containerName: 'server', containerPort: 50051,
    port: { name: 'grpc', port: 50051, protocol: 'grpc' },
    env: { PORT: '50051', DISABLE_PROFILER: '1' }, resources: small,
    readiness: grpc(50051, { periodSeconds: 5 }), liveness: grpc(50051), calls: [],
  },
  {
    name: 'redis-cart', image: REDIS_IMAGE, containerName: 'redis', containerPort: 6379,
    // Server-speaks-first: meshes that detect protocols must treat it as opaque TCP (facts.md §1 pitfalls).
    port: { name: 'tcp-redis', port: 6379, protocol: 'tcp', opaque: true },
    env: {},
    resources: { requests: { cpu: '70m', memory: '200Mi' }, limits: { cpu: '125m', memory: '256Mi' } },
    readiness: { kind: 'tcp', port: 6379, periodSeconds: 5 }, liveness: { kind: 'tcp', port: 6379, periodSeconds: 5 },
    calls: [], dataVolume: '/data',
  },
  {
    name: 'adservice', image: image('adservice'), containerName: 'server', containerPort: 9555,
    port: { name: 'grpc', port: 9555, protocol: 'grpc' },
    env: { PORT: '9555' },
    resources: { requests: { cpu: '200m', memory: '180Mi' }, limits: { cpu: '300m', memory: '300Mi' } },
    readiness: grpc(9555, { initialDelaySeconds: 20, periodSeconds: 15 }), liveness: grpc(9555, { initialDelaySeconds: 20, periodSeconds: 15 }),
    terminationGracePeriodSeconds: 5, calls: [],
  },
];
