// The injector webhook for real: HTTPS on loopback with a serving certificate issued from a freshly made mesh CA,
// called the way the API server calls it (AdmissionReview v1 POST, CA bundle = the mesh root, server name = the
// Service DNS name). The answer must be an AdmissionReview response with a base64 JSONPatch that injects the pod.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsonpatch from 'fast-json-patch';
import type { V1Pod } from '@kubernetes/client-node';
import { ensureCa } from '../shared/pki.ts';
import { issueServingCert, startWebhook, type WebhookServer } from './webhook.ts';
import { INJECTOR_DNS } from './manifests.ts';
import { PROXY_CONTAINER, INIT_CONTAINER, ANNOTATIONS } from './constants.ts';
import { boutiquePods, CFG } from './test-fixtures.ts';

function post(port: number, ca: string, body: unknown, servername = INJECTOR_DNS[0]): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = https.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/inject?timeout=10s', ca, servername, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
      (res) => {
        let out = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (out += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(out) }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const reviewOf = (pod: V1Pod, uid: string) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid, kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' }, namespace: 'boutique', operation: 'CREATE', object: pod },
});

describe('injector webhook over HTTPS', () => {
  let dir: string;
  let root: string;
  let server: WebhookServer;
  const lines: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meshbench-webhook-'));
    const ca = await ensureCa(join(dir, 'ca'), 'cluster.local');
    root = ca.rootPem;
    const cert = await issueServingCert(ca, INJECTOR_DNS);
    server = await startWebhook({ ...cert, host: '127.0.0.1', port: 0, cfg: { ...CFG, rootPem: ca.rootPem }, log: (l) => lines.push(l) });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers an AdmissionReview for the frontend pod with a base64 JSONPatch that injects it', async () => {
    const pod = boutiquePods().find((p) => p.metadata?.labels?.app === 'frontend')!;
    const { status, json } = await post(server.port, root, reviewOf(pod, 'b1c2d3e4-0000-4000-8000-000000000001'));
    assert.equal(status, 200);
    assert.equal(json.apiVersion, 'admission.k8s.io/v1');
    assert.equal(json.kind, 'AdmissionReview');
    assert.equal(json.response.uid, 'b1c2d3e4-0000-4000-8000-000000000001');
    assert.equal(json.response.allowed, true);
    assert.equal(json.response.patchType, 'JSONPatch');
    const patch = JSON.parse(Buffer.from(json.response.patch, 'base64').toString('utf8'));
    const out = jsonpatch.applyPatch(structuredClone(pod), patch, true, false).newDocument as V1Pod;
    assert.deepEqual(out.spec!.initContainers!.map((c) => c.name), [INIT_CONTAINER, PROXY_CONTAINER]);
    assert.equal(out.metadata!.annotations![ANNOTATIONS.injected], CFG.version);
    assert.ok(lines.some((l) => l.includes('inject boutique/frontend-') && l.includes('spiffe://cluster.local/ns/boutique/sa/frontend')), lines.join('\n'));
  });

  it('admits a hostNetwork pod with only the skip annotation and a warning', async () => {
    const pod = boutiquePods()[0];
    pod.spec!.hostNetwork = true;
    const { json } = await post(server.port, root, reviewOf(pod, 'u-2'));
    assert.equal(json.response.allowed, true);
    assert.match(json.response.warnings[0], /hostNetwork/);
    const patch = JSON.parse(Buffer.from(json.response.patch, 'base64').toString('utf8'));
    assert.deepEqual(patch.map((op: { path: string }) => op.path), [`/metadata/annotations/${ANNOTATIONS.skipped.replace('/', '~1')}`]);
  });

  it('refuses a pod with a bad annotation with a 400 status message, and admits non-pods untouched', async () => {
    const pod = boutiquePods()[0];
    pod.metadata!.annotations![ANNOTATIONS.opaquePorts] = 'redis';
    const denied = await post(server.port, root, reviewOf(pod, 'u-3'));
    assert.equal(denied.json.response.allowed, false);
    assert.equal(denied.json.response.status.code, 400);
    assert.match(denied.json.response.status.message, /opaque-ports: "redis" is not a TCP port/);
    const other = await post(server.port, root, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u-4', kind: { kind: 'Service' }, object: {} } });
    assert.deepEqual(other.json.response, { uid: 'u-4', allowed: true });
  });

  it('presents a certificate only valid for the Service names (the API server checks the name)', async () => {
    await assert.rejects(post(server.port, root, reviewOf(boutiquePods()[0], 'u-5'), 'evil.example'), /altnames|Hostname\/IP does not match/);
  });

  it('rejects a body that is not an AdmissionReview with a clear error', async () => {
    const { status, json } = await post(server.port, root, { hello: 'world' });
    assert.equal(status, 400);
    assert.match(json.error, /request\.uid is missing/);
  });
});
