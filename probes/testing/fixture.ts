// A three-pod workload for the probes' tests (web → checkout → payment, like Online Boutique's checkout path), run
// in a real LocalStack with real processes. Without sidecars it is the unprotected baseline; with them it is a
// miniature mesh whose every security property can be switched off one at a time, so each probe is shown failing
// when its property is absent and passing when it holds.
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import type tls from 'node:tls';
import { LocalStack } from '../../clusters/local/stack.ts';
import { UNAUTHENTICATED, type Mesh, type MeshPolicy } from '../../mesh-impls/types.ts';
import type { LocalProbeContext, MeshProbeFacts, ProbeWorkload } from '../types.ts';
import { localProbeContext } from '../local/context.ts';
import { createCa, issueCert, type Issuer } from '../certs.ts';
import type { AppSpec } from './app.ts';
import type { SidecarConfig } from './sidecar.ts';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const APP = fileURLToPath(new URL('./app.ts', import.meta.url));
const SIDECAR = fileURLToPath(new URL('./sidecar.ts', import.meta.url));
export const SIDECAR_UID = 1337;
export const INBOUND_PORT = 4143;
export const ADMIN_PORT = 4191;
const TRUST_DOMAIN = 'fixture.test';

export const CHARGE = '/hipstershop.PaymentService/Charge';
export const PLACE_ORDER = '/hipstershop.CheckoutService/PlaceOrder';

export const FIXTURE_WORKLOAD: ProbeWorkload = {
  name: 'probe-fixture',
  services: [
    { name: 'web', serviceAccount: 'web', ports: [{ name: 'http', port: 8080, protocol: 'http' }] },
    { name: 'checkout', serviceAccount: 'checkout', ports: [{ name: 'grpc', port: 5050, protocol: 'grpc' }] },
    { name: 'payment', serviceAccount: 'payment', ports: [{ name: 'grpc', port: 50051, protocol: 'grpc' }] },
  ],
  entry: { service: 'web', port: 8080, healthPath: '/' },
  callGraph: [
    { from: 'web', to: 'checkout', port: 5050, methods: [PLACE_ORDER] },
    { from: 'checkout', to: 'payment', port: 50051, methods: [CHARGE] },
  ],
  journey: { name: 'fixture', cookies: false, steps: [{ name: 'home', weight: 1, requests: [{ method: 'GET', path: '/' }] }] },
};

export const FIXTURE_APPS: Record<string, AppSpec> = {
  web: { port: 8080, protocol: 'http' },
  checkout: { port: 5050, protocol: 'grpc', methods: [PLACE_ORDER] },
  payment: { port: 50051, protocol: 'grpc', methods: [CHARGE] },
};

export interface FixtureOptions {
  /** false: no sidecars at all (the baseline: plaintext, no identity, no policy). */
  sidecars: boolean;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
  /** false: the inbound side accepts any client certificate. */
  verifyClients?: boolean;
  /** false: the inbound side ignores the allow list (authorization absent). */
  enforcePolicy?: boolean;
  /** Where the admin page listens: loopback (safe) or every address (exposed). */
  adminHost?: string;
  certLifetimeS?: number;
  /** Lifetime the "mesh" declares (workload-identity checks certificates against it). */
  declaredLifetimeS?: number;
  /** Re-issue every workload certificate this often (cert rotation). */
  rotateEveryS?: number;
  /** A broken rotation: renewed certificates come from a new CA that no peer trusts, so requests fail after it. */
  rotateFromUntrustedCa?: boolean;
  /** Policy in force at start, and what "default" means for this mesh. */
  defaultPolicy?: MeshPolicy;
}

export interface Fixture {
  ctx: LocalProbeContext;
  stack: LocalStack;
  ca: Issuer;
  teardown(): Promise<void>;
}

const spiffe = (sa: string) => `spiffe://${TRUST_DOMAIN}/ns/default/sa/${sa}`;

/** The baseline mesh object as the registry would give it, with our fixture's facts when sidecars run. */
function fixtureMesh(name: string, meshesPods: boolean, applyPolicy: (p: MeshPolicy) => Promise<void>, facts: MeshProbeFacts): Mesh {
  return {
    name,
    description: 'probe test fixture',
    meshesPods,
    supports: () => true,
    versions: async () => ({}),
    local: Object.assign(
      { install: async () => ({ steps: 0, objects: 0 }), inject: async () => {}, verify: async () => ({ ok: true, pods: [] }), applyPolicy: async (_s: LocalStack, p: MeshPolicy) => applyPolicy(p) },
      { probeFacts: () => facts },
    ),
  };
}

async function waitListening(stack: LocalStack, pod: string, port: number, host = '127.0.0.1'): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const r = await stack.exec(pod, 'bash', ['-c', `echo > /dev/tcp/${host}/${port}`], { timeoutMs: 3000 });
    if (r.exitCode === 0) return;
    await sleep(100);
  }
  throw new Error(`fixture: nothing listens on ${host}:${port} in pod ${pod}`);
}

/**
 * Builds the fixture. With `mesh` set, the context uses that real mesh object (e.g. the registry's `none`) for facts
 * and policy instead of the fixture's own.
 */
export async function startFixture(opts: FixtureOptions, mesh?: Mesh): Promise<Fixture> {
  const logDir = join('/tmp', `meshbench-probe-tests-${process.pid}-${Date.now()}`);
  const stack = await LocalStack.create({ logDir });
  let rotation: NodeJS.Timeout | undefined;
  try {
    for (const svc of FIXTURE_WORKLOAD.services) await stack.addPod(svc.name, { serviceAccount: svc.serviceAccount });
    const ca = await createCa('fixture mesh root');
    const dirs = new Map<string, string>();
    const issue = async (from: Issuer = ca) => {
      for (const svc of FIXTURE_WORKLOAD.services) {
        const dir = dirs.get(svc.name)!;
        const leaf = await issueCert(from, { uri: spiffe(svc.serviceAccount), lifetimeS: opts.certLifetimeS ?? 3600, commonName: svc.name });
        // Key first, then the certificate the sidecar watches: it reloads a matching pair.
        writeFileSync(join(dir, 'key.pem'), leaf.keyPem, { mode: 0o600 });
        writeFileSync(join(dir, 'cert.pem'), leaf.certPem);
        for (const f of ['key.pem', 'cert.pem']) chownSync(join(dir, f), SIDECAR_UID, SIDECAR_UID);
      }
    };
    const policyState = { policy: opts.defaultPolicy ?? ({ default: 'all-unauthenticated', allow: [] } as MeshPolicy) };
    const applyPolicy = async (policy: MeshPolicy) => {
      policyState.policy = policy;
      if (!opts.sidecars) return;
      for (const svc of FIXTURE_WORKLOAD.services) {
        const port = svc.ports[0].port;
        const rules = policy.allow.filter((r) => r.to === svc.name && r.port === port);
        const plaintext = policy.default === 'all-unauthenticated' || rules.some((r) => r.from.includes(UNAUTHENTICATED));
        const restricted = policy.default === 'deny' || rules.length > 0;
        const allow = opts.enforcePolicy === false || !restricted ? null : rules.flatMap((r) => r.from.filter((f) => f !== UNAUTHENTICATED).map(spiffe));
        writeFileSync(join(dirs.get(svc.name)!, 'policy.json'), JSON.stringify({ allow }));
        chownSync(join(dirs.get(svc.name)!, 'policy.json'), SIDECAR_UID, SIDECAR_UID);
        // Plaintext refused = the app port is redirected to the TLS listener, as Linkerd's and our mesh's inbound do.
        await stack.exec(svc.name, 'iptables', ['-w', '-t', 'nat', '-F', 'PREROUTING']);
        if (!plaintext) await stack.iptables(svc.name, [['-t', 'nat', '-A', 'PREROUTING', '-i', 'eth0', '-p', 'tcp', '--dport', String(port), '-j', 'REDIRECT', '--to-ports', String(INBOUND_PORT)]]);
      }
    };

    if (opts.sidecars) {
      for (const svc of FIXTURE_WORKLOAD.services) {
        const dir = join(stack.tempDir(`fixture-${svc.name}`));
        chownSync(dir, SIDECAR_UID, SIDECAR_UID);
        dirs.set(svc.name, dir);
        writeFileSync(join(dir, 'ca.pem'), ca.certPem);
      }
      await issue();
      await applyPolicy(policyState.policy);
      for (const svc of FIXTURE_WORKLOAD.services) {
        const dir = dirs.get(svc.name)!;
        const peers = FIXTURE_WORKLOAD.services.filter((s) => s.name !== svc.name);
        const config: SidecarConfig = {
          appPort: svc.ports[0].port,
          inboundPort: INBOUND_PORT,
          adminHost: opts.adminHost ?? '127.0.0.1',
          adminPort: ADMIN_PORT,
          certFile: join(dir, 'cert.pem'),
          keyFile: join(dir, 'key.pem'),
          caFile: join(dir, 'ca.pem'),
          minVersion: opts.minVersion,
          maxVersion: opts.maxVersion,
          ciphers: opts.ciphers,
          verifyClients: opts.verifyClients ?? true,
          policyFile: join(dir, 'policy.json'),
          outbound: peers.map((p, j) => ({ listenPort: 15001 + j, peerIp: stack.pod(p.name).ip, peerPort: INBOUND_PORT })),
        };
        writeFileSync(join(dir, 'sidecar.json'), JSON.stringify(config));
        await stack.iptables(
          svc.name,
          config.outbound.map((o, j) => ['-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '-d', o.peerIp, '--dport', String(peers[j].ports[0].port), '-m', 'owner', '!', '--uid-owner', String(SIDECAR_UID), '-j', 'REDIRECT', '--to-ports', String(o.listenPort)]),
        );
        stack.spawn(svc.name, { name: 'sidecar', cmd: process.execPath, args: ['--import', TSX, SIDECAR, join(dir, 'sidecar.json')], uid: SIDECAR_UID }, 'proxy');
      }
      if (opts.rotateEveryS) {
        const renew = async () => issue(opts.rotateFromUntrustedCa ? await createCa('untrusted rotation root') : ca);
        rotation = setInterval(() => void renew().catch(() => {}), opts.rotateEveryS * 1000);
      }
    }
    for (const svc of FIXTURE_WORKLOAD.services) stack.spawn(svc.name, { name: 'app', cmd: process.execPath, args: ['--import', TSX, APP, JSON.stringify(FIXTURE_APPS[svc.name])] }, 'app');
    for (const svc of FIXTURE_WORKLOAD.services) {
      await waitListening(stack, svc.name, svc.ports[0].port);
      if (opts.sidecars) await waitListening(stack, svc.name, INBOUND_PORT);
    }

    const facts: MeshProbeFacts = opts.sidecars
      ? {
          identityFormat: 'spiffe',
          expectedIdentity: (svc) => spiffe(svc.serviceAccount),
          trustAnchorsPem: async () => ca.certPem,
          maxCertLifetimeS: opts.declaredLifetimeS ?? 3600,
          mtlsPort: () => INBOUND_PORT,
          adminEndpoints: FIXTURE_WORKLOAD.services.map((s) => ({ pod: s.name, url: `http://127.0.0.1:${ADMIN_PORT}/metrics` })),
          defaultPolicy: opts.defaultPolicy,
        }
      : {};
    const meshObj = mesh ?? fixtureMesh(opts.sidecars ? 'fixture-mesh' : 'fixture-baseline', opts.sidecars, applyPolicy, facts);
    const entryUrl = `http://${stack.pod('web').ip}:8080`;
    const ctx = await localProbeContext({ stack, workload: FIXTURE_WORKLOAD, mesh: meshObj, entryUrl });
    mkdirSync(logDir, { recursive: true });
    return {
      ctx,
      stack,
      ca,
      async teardown() {
        clearInterval(rotation);
        await stack.teardown();
      },
    };
  } catch (err) {
    clearInterval(rotation);
    await stack.teardown();
    throw err;
  }
}
