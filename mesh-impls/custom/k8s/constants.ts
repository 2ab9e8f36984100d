// Names, ports and keys the custom mesh uses on Kubernetes. One place, so the manifests, the injector, the control
// plane's Kubernetes modules and the tests agree. Ports come from the local mesh (shared/config.ts) unchanged.
import { DEFAULT_PORTS } from '../shared/config.ts';

export const MESH_VERSION = '0.1.0';
/** The control plane's namespace and ServiceAccount; its SPIFFE id is spiffe://<td>/ns/mesh-system/sa/meshcp. */
export const CP_NAMESPACE = 'mesh-system';
export const CP_NAME = 'meshcp';
export const INJECTOR_NAME = 'meshcp-injector';
export const CA_SECRET = 'meshcp-ca';
export const TRUST_DOMAIN = 'cluster.local';

export const PORTS = { ...DEFAULT_PORTS, webhook: 8443 } as const;

/** Images built from mesh-impls/custom/k8s/images/ and loaded into kind; never pulled from a registry. */
export interface ImageNames {
  proxy: string;
  controlPlane: string;
}
export const DEFAULT_IMAGES: ImageNames = {
  proxy: `meshbench/custom-proxy:${MESH_VERSION}`,
  controlPlane: `meshbench/custom-control-plane:${MESH_VERSION}`,
};

/** The proxy's uid: outbound iptables rules skip its own traffic by this owner, so it must never be an app's uid. */
export const PROXY_UID = 2102;
/** The uid the control-plane and injector images run as (distroless/alpine convention for "nonroot"). */
export const CP_UID = 65532;

export const PROXY_CONTAINER = 'mesh-proxy';
export const INIT_CONTAINER = 'mesh-init';

/** Audience of the projected ServiceAccount token the proxy presents; TokenReview checks the token was minted for it. */
export const TOKEN_AUDIENCE = 'meshbench-custom-mesh';
export const TOKEN_EXPIRATION_S = 3600;
/** Where the injected proxy finds its token, and a small writable scratch dir (the root filesystem is read-only). */
export const TOKEN_DIR = '/var/run/mesh/token';
export const RUN_DIR = '/var/run/mesh/run';

const A = 'mesh.meshbench.io';
export const ANNOTATIONS = {
  /** Opt-in: `enabled` on a pod (template) asks the injector for a proxy. */
  inject: `${A}/inject`,
  /** Set by the injector: the mesh version that injected the pod (makes injection idempotent). */
  injected: `${A}/injected`,
  /** Set by the injector on pods it refused, with the reason (visible in `kubectl describe pod`). */
  skipped: `${A}/skipped`,
  /** Comma-separated ports to leave out of interception (inbound / outbound). */
  skipInboundPorts: `${A}/skip-inbound-ports`,
  skipOutboundPorts: `${A}/skip-outbound-ports`,
  /** Comma-separated ports the proxy must not sniff (server-speaks-first, e.g. Redis). */
  opaquePorts: `${A}/opaque-ports`,
  /** Service name of the pod in the mesh, when the `app` label is not it. */
  service: `${A}/service`,
} as const;
/** Namespaces with this label are the only ones the webhook is called for (its scope; see the failure policy). */
export const NAMESPACE_INJECT_LABEL = `${A}/inject`;

/** Admin endpoints of the proxy: readiness gates the app containers (native sidecar startup probe). */
export const PROXY_READY_PATH = '/ready';
export const PROXY_LIVE_PATH = '/live';

export const CRD_GROUP = 'mesh.meshbench.io';
export const CRD_VERSION = 'v1alpha1';
export const POLICY_KIND = 'MeshPolicy';
export const POLICY_PLURAL = 'meshpolicies';

export const RUN_LABEL = 'meshbench.io/run';
