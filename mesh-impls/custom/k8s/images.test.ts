// The images without a Docker engine (none runs here, and base images cannot be pulled): the Dockerfiles are linted
// (dockerfile-utils, the VS Code Docker linter) and checked for what the issue requires (base pinned by digest,
// non-root numeric USER, exec-form ENTRYPOINT, COPY sources that exist); then the exact bundling step the
// Dockerfiles run (images/bundle.mjs) is run here, and each bundle is started for real: the injector serves TLS,
// mesh-init installs its rules in a network namespace this test creates, the others fail with clear messages.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as https from 'node:https';
import * as net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from 'dockerfile-utils';
import { ensureCa } from '../shared/pki.ts';
import { interceptRules } from './iptables.ts';
import { bootstrapFromEnv, writeBootstrap } from './bootstrap.ts';
import { boutiquePods, CFG } from './test-fixtures.ts';
import { injectPatch } from './inject.ts';
import { CP_UID, PROXY_UID } from './constants.ts';
import { DOCKERFILES } from './images.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const read = (p: string) => readFileSync(join(REPO, p), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

/** Instructions with continuation lines joined; `stage` counts FROMs (0 = before the first FROM). */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = 0;
  const joined = text.replace(/\\\n/g, ' ');
  for (const line of joined.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [keyword, ...rest] = t.split(/\s+/);
    if (keyword.toUpperCase() === 'FROM') stage++;
    out.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), stage });
  }
  return out;
}

describe('Dockerfiles', () => {
  for (const [what, path] of Object.entries(DOCKERFILES)) {
    const text = read(path);
    const ins = parseDockerfile(text);
    const last = Math.max(...ins.map((i) => i.stage));
    const final = ins.filter((i) => i.stage === last);

    it(`${what}: lints clean`, () => {
      assert.deepEqual(validate(text).map((d) => `${d.range.start.line + 1}: ${d.message}`), []);
    });

    it(`${what}: every base image is pinned by digest`, () => {
      const args = Object.fromEntries(ins.filter((i) => i.keyword === 'ARG' && i.args.includes('=')).map((i) => i.args.split('=') as [string, string]));
      for (const from of ins.filter((i) => i.keyword === 'FROM')) {
        const image = from.args.split(/\s+/)[0].replace(/^\$\{(\w+)\}$/, (_, n: string) => args[n] ?? '');
        assert.match(image, /^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/, `FROM ${from.args}`);
      }
    });

    it(`${what}: runs as a numeric non-root user with an exec-form entrypoint`, () => {
      const user = final.filter((i) => i.keyword === 'USER').at(-1)?.args;
      assert.equal(user, what === 'proxy' ? `${PROXY_UID}:${PROXY_UID}` : `${CP_UID}:${CP_UID}`);
      const entry = final.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)?.args ?? '';
      assert.match(entry, /^\["node", "\/app\/[\w-]+\.mjs"\]$/);
    });

    it(`${what}: copies only files that exist, and ships what the manifests run`, () => {
      for (const c of ins.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))) {
        for (const src of c.args.split(/\s+/).slice(0, -1)) if (src !== '.') assert.ok(existsSync(join(REPO, src)), `COPY source ${src} missing`);
      }
      const shipped = final.filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build')).flatMap((i) => i.args.split(/\s+/).slice(1, -1)).map((p) => p.replace('/out/', ''));
      assert.deepEqual(shipped.sort(), what === 'proxy' ? ['mesh-init.mjs', 'original_dst.node', 'proxy.mjs'] : ['control-plane.mjs', 'injector.mjs']);
      if (what === 'proxy') {
        assert.ok(existsSync(join(REPO, 'mesh-impls/custom/addon/binding.gyp')), 'the addon the build stage compiles');
        // Alpine's musl headers lack the kernel's: an addon including <linux/...> needs linux-headers in the build stage.
        if (/#include <linux\//.test(read('mesh-impls/custom/addon/original_dst.cc'))) {
          assert.ok(ins.some((i) => i.stage === 1 && i.keyword === 'RUN' && /apk add .*\blinux-headers\b/.test(i.args)), 'build stage installs linux-headers');
        }
      }
      const ignore = read(`${path}.dockerignore`);
      assert.match(ignore, /^mesh-impls\/custom\/addon\/build$/m, 'host-built addon must not enter the build context');
      assert.match(ignore, /^\*\*\/node_modules$/m);
    });
  }

  it('the linter is live: a broken Dockerfile gets diagnostics', () => {
    const broken = read(DOCKERFILES.proxy).replace('USER 2102:2102', 'USR 2102').replace('ENTRYPOINT ["node", "/app/proxy.mjs"]', 'ENTRYPOINT ["node", "/app/proxy.mjs"');
    assert.ok(validate(broken).length >= 1);
  });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [file, ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('image bundles (the Dockerfiles’ build step, run here)', () => {
  let out: string;
  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'meshbench-bundle-'));
    // Same script, same options as the images; the addon is compiled in the image's own build stage.
    const { bundle } = (await import(join(REPO, 'mesh-impls/custom/k8s/images/bundle.mjs'))) as { bundle: (dir: string, o: { addon: boolean }) => Promise<void> };
    await bundle(out, { addon: false });
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('the proxy bundle starts and says what is missing without the injector environment', () => {
    const r = run(join(out, 'proxy.mjs'), []);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /MESH_POD_NAME is not set: the mesh proxy on Kubernetes is configured by the injector/);
  });

  it('the control-plane bundle starts and refuses to run outside a pod', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshbench-cpb-'));
    try {
      const r = run(join(out, 'control-plane.mjs'), ['--dir', dir, '--proxy-api-port', '0', '--operator-api-port', '0']);
      assert.notEqual(r.code, 0);
      assert.match(r.out, /not running in a pod: KUBERNETES_SERVICE_HOST is unset/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the injector bundle serves AdmissionReviews over TLS with a cert from the CA directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshbench-injb-'));
    const ca = await ensureCa(join(dir, 'ca'), 'cluster.local');
    const port = await freePort();
    const child = spawn(process.execPath, [join(out, 'injector.mjs'), '--ca-dir', join(dir, 'ca'), '--listen', '127.0.0.1', '--port', String(port), '--proxy-image', 'meshbench/custom-proxy:0.1.0', '--control-plane', 'https://meshcp.mesh-system.svc:8086', '--dns', 'meshcp-injector.mesh-system.svc'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    try {
      const deadline = Date.now() + 20_000;
      while (!log.includes('injector up')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`injector did not start: ${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const pod = boutiquePods()[0];
      const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'x1', kind: { kind: 'Pod' }, namespace: 'boutique', object: pod } });
      const answer = await new Promise<any>((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port, method: 'POST', path: '/inject', ca: ca.rootPem, servername: 'meshcp-injector.mesh-system.svc', headers: { 'content-type': 'application/json' } }, (res) => {
          let t = '';
          res.on('data', (d) => (t += d));
          res.on('end', () => resolve(JSON.parse(t)));
        });
        req.on('error', reject);
        req.end(body);
      });
      assert.equal(answer.response.uid, 'x1');
      assert.equal(answer.response.patchType, 'JSONPatch');
      const patch = JSON.parse(Buffer.from(answer.response.patch, 'base64').toString('utf8'));
      const proxy = patch.find((op: { value?: { name?: string }[] }) => Array.isArray(op.value) && op.value[1]?.name === 'mesh-proxy').value[1];
      assert.equal(proxy.image, 'meshbench/custom-proxy:0.1.0');
      assert.equal(proxy.env.find((e: { name: string }) => e.name === 'MESH_TRUST_ANCHOR').value, ca.rootPem, 'trust anchor = the mounted CA root');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the mesh-init bundle installs the interception rules in a pod network namespace, once', () => {
    const bad = run(join(out, 'mesh-init.mjs'), ['--rules', '{"not":"rules"}']);
    assert.equal(bad.code, 2);
    assert.match(bad.out, /--rules must be a JSON list of iptables argv lists/);
    // A namespace of this test's own, like the pod sandbox the init container runs in.
    const ns = `mbk8s-init-${process.pid}`;
    execFileSync('ip', ['netns', 'add', ns]);
    try {
      const rules = interceptRules({ proxyUid: PROXY_UID, inboundPort: 4143, outboundPort: 4140, skipInboundPorts: [4191] });
      const inNs = (args: string[]) => spawnSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });
      const first = inNs([process.execPath, join(out, 'mesh-init.mjs'), '--rules', JSON.stringify(rules)]);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, new RegExp(`${rules.length} rules installed`));
      const nat = inNs(['iptables', '-w', '-t', 'nat', '-S']).stdout;
      assert.match(nat, /-A PREROUTING -p tcp -j MESH_INBOUND/);
      assert.match(nat, /-A MESH_INBOUND -p tcp -m tcp --dport 4191 -j RETURN/);
      assert.match(nat, /-A MESH_OUTPUT -m owner --uid-owner 2102 -j RETURN/);
      assert.match(nat, /-A MESH_OUTPUT -p tcp -j REDIRECT --to-ports 4140/);
      const again = inNs([process.execPath, join(out, 'mesh-init.mjs'), '--rules', JSON.stringify(rules)]);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /already set up/);
      assert.equal(inNs(['iptables', '-w', '-t', 'nat', '-S']).stdout, nat, 'a second run adds nothing');
    } finally {
      execFileSync('ip', ['netns', 'del', ns]);
    }
  });
});

describe('proxy bootstrap from the injector environment', () => {
  it('reads exactly the environment the injector sets (downward API fields resolved as the kubelet would)', () => {
    const pod = boutiquePods().find((p) => p.metadata?.labels?.app === 'frontend')!;
    const r = injectPatch(pod, 'boutique', CFG);
    assert.equal(r.action, 'inject');
    if (r.action !== 'inject') return;
    const proxy = (r.patch.find((op) => op.path === '/spec/initContainers')!.value as { name: string; env: { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }[] }[])[1];
    const fields: Record<string, string> = { 'metadata.name': pod.metadata!.name!, 'metadata.namespace': 'boutique', 'status.podIP': '10.244.0.10', 'status.hostIP': '172.18.0.2', 'spec.serviceAccountName': 'frontend' };
    const env = Object.fromEntries(proxy.env.map((e) => [e.name, e.value ?? fields[e.valueFrom!.fieldRef.fieldPath]]));
    const boot = bootstrapFromEnv(env);
    assert.deepEqual(
      { pod: boot.pod, podIp: boot.podIp, namespace: boot.namespace, serviceAccount: boot.serviceAccount, service: boot.service, nodeIp: boot.nodeIp, ports: [boot.inboundPort, boot.outboundPort, boot.adminPort] },
      { pod: pod.metadata!.name, podIp: '10.244.0.10', namespace: 'boutique', serviceAccount: 'frontend', service: 'frontend', nodeIp: '172.18.0.2', ports: [4143, 4140, 4191] },
    );
    assert.equal(boot.controlPlaneId, CFG.controlPlaneId);
    // The token path is the projected volume's mount + path.
    const mounts = (proxy as unknown as { volumeMounts: { name: string; mountPath: string }[] }).volumeMounts;
    assert.equal(boot.tokenFile, `${mounts.find((m) => m.name === 'mesh-token')!.mountPath}/token`);
  });

  it('builds the ProxyBootstrap the injected env describes, and writes it with the trust anchor', () => {
    const pod = boutiquePods().find((p) => p.metadata?.labels?.app === 'cartservice')!;
    const dir = mkdtempSync(join(tmpdir(), 'meshbench-boot-'));
    try {
      const env = {
        MESH_POD_NAME: pod.metadata!.name, MESH_POD_NAMESPACE: 'boutique', MESH_POD_IP: '10.244.0.20', MESH_HOST_IP: '172.18.0.2',
        MESH_SERVICE_ACCOUNT: 'cartservice', MESH_SERVICE: 'cartservice', MESH_CONTROL_PLANE: 'https://meshcp.mesh-system.svc:8086',
        MESH_CONTROL_PLANE_ID: 'spiffe://cluster.local/ns/mesh-system/sa/meshcp', MESH_RUN_DIR: dir,
        MESH_INBOUND_PORT: '4143', MESH_OUTBOUND_PORT: '4140', MESH_ADMIN_PORT: '4191',
      };
      const boot = bootstrapFromEnv(env);
      assert.equal(boot.adminListen, '0.0.0.0');
      assert.equal(boot.nodeIp, '172.18.0.2');
      assert.equal(boot.tokenFile, '/var/run/mesh/token/token');
      const file = writeBootstrap(boot, '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), boot);
      assert.match(readFileSync(boot.rootFile, 'utf8'), /BEGIN CERTIFICATE/);
      assert.throws(() => bootstrapFromEnv({ ...env, MESH_ADMIN_PORT: 'admin' }), /MESH_ADMIN_PORT="admin" is not a whole number/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
