// The injector as a mutating admission webhook: a small HTTPS server that answers AdmissionReview v1 requests for
// pods with a base64 JSONPatch from inject.ts. Its serving certificate is issued at start-up from the mesh CA
// (the same Secret the control plane uses), for the Service's DNS names; the MutatingWebhookConfiguration's caBundle
// is the CA's root, so the API server trusts it without any other PKI.
import 'reflect-metadata';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { V1Pod } from '@kubernetes/client-node';
import type { Ca } from '../shared/pki.ts';
import { injectPatch, type InjectorConfig } from './inject.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A TLS server certificate for DNS names, signed by the mesh CA's issuer (chain: leaf + issuer). */
export async function issueServingCert(ca: Ca, dnsNames: readonly string[], lifetimeMs = 365 * 86_400_000): Promise<{ keyPem: string; chainPem: string }> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${dnsNames[0]}`,
    issuer: ca.issuer.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + lifetimeMs),
    publicKey: keys.publicKey,
    signingKey: ca.issuerKey,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
      await x509.AuthorityKeyIdentifierExtension.create(ca.issuer.publicKey),
    ],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
  return { keyPem, chainPem: cert.toString('pem') + '\n' + ca.issuerPem };
}

interface AdmissionRequest {
  uid: string;
  kind?: { kind?: string };
  namespace?: string;
  operation?: string;
  object?: V1Pod;
}

/** The AdmissionReview response for one request (exported for tests and for reuse behind another server). */
export function review(body: unknown, cfg: InjectorConfig, log: (line: string) => void = () => {}): unknown {
  const req = (body as { request?: AdmissionRequest })?.request;
  if (!req?.uid) throw new Error('not an AdmissionReview: request.uid is missing');
  const out = (response: Record<string, unknown>) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: req.uid, ...response } });
  if (req.kind?.kind !== 'Pod' || !req.object) return out({ allowed: true });
  const namespace = req.namespace ?? req.object.metadata?.namespace ?? 'default';
  const name = req.object.metadata?.name ?? `${req.object.metadata?.generateName ?? ''}*`;
  const r = injectPatch(req.object, namespace, cfg);
  if (r.action === 'deny') {
    log(`deny ${namespace}/${name}: ${r.reason}`);
    return out({ allowed: false, status: { code: 400, message: `meshbench custom mesh injector: ${r.reason}` } });
  }
  log(`${r.action} ${namespace}/${name}${r.action === 'skip' ? `: ${r.reason}` : ` as ${r.identity}`}`);
  const warnings = r.warnings.length ? { warnings: r.warnings } : {};
  if (!r.patch.length) return out({ allowed: true, ...warnings });
  return out({ allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(r.patch)).toString('base64'), ...warnings });
}

export interface WebhookServer {
  port: number;
  close(): Promise<void>;
}

/** Serves POST /inject (AdmissionReview) and GET /healthz over TLS 1.2+ (the API server's client supports both). */
export async function startWebhook(opts: { keyPem: string; chainPem: string; host: string; port: number; cfg: InjectorConfig; log?: (line: string) => void }): Promise<WebhookServer> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const server = https.createServer({ key: opts.keyPem, cert: opts.chainPem, minVersion: 'TLSv1.2' }, async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, json: unknown) => {
      const text = JSON.stringify(json);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
    };
    try {
      if (req.method === 'GET' && req.url === '/healthz') return send(200, { ok: true });
      if (req.method !== 'POST' || !req.url?.startsWith('/inject')) return send(404, { error: `no route ${req.method} ${req.url}; the webhook serves POST /inject` });
      let size = 0;
      const chunks: Buffer[] = [];
      for await (const c of req) {
        size += (c as Buffer).length;
        // The API server caps admission requests well below this; a bigger body is not from it.
        if (size > 8 * 1024 * 1024) return send(413, { error: 'AdmissionReview over 8 MiB' });
        chunks.push(c as Buffer);
      }
      send(200, review(JSON.parse(Buffer.concat(chunks).toString('utf8')), opts.cfg, log));
    } catch (err) {
      send(400, { error: (err as Error).message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
