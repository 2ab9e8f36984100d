// The mesh PKI: an ECDSA P-256 root and issuer (the CA), and workload certificates whose only name is a SPIFFE URI.
// Used by the control plane (sign) and by proxies (key + CSR). @peculiar/x509 over Node's WebCrypto.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto, X509Certificate as NodeCert } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const subtle = webcrypto.subtle;
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export { spiffeId, serverNameOf, idFromSan, serviceAccountOf } from './identity.ts';
export { makeKeyAndCsr } from './csr.ts';
import { idFromSan } from './identity.ts';

const pem = (tag: string, der: ArrayBuffer) =>
  `-----BEGIN ${tag}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${tag}-----\n`;

async function exportKey(key: CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await subtle.exportKey('pkcs8', key));
}

async function importKey(pemText: string): Promise<CryptoKey> {
  const der = Buffer.from(pemText.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return subtle.importKey('pkcs8', der, EC, true, ['sign']);
}

export interface Ca {
  trustDomain: string;
  rootPem: string;
  issuerPem: string;
  issuerKey: CryptoKey;
  issuer: x509.X509Certificate;
}

/** Creates the CA in `dir` (root.pem, root.key, issuer.pem, issuer.key; keys 0600) unless it exists, then loads it. */
export async function ensureCa(dir: string, trustDomain: string): Promise<Ca> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(join(dir, 'issuer.key'))) {
    const rootKeys = await subtle.generateKey(EC, true, ['sign', 'verify']);
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      name: `CN=root.${trustDomain}`,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 3650 * DAY),
      keys: rootKeys,
      signingAlgorithm: EC,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    });
    const issuerKeys = await subtle.generateKey(EC, true, ['sign', 'verify']);
    const issuer = await x509.X509CertificateGenerator.create({
      subject: `CN=issuer.${trustDomain}`,
      issuer: root.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 365 * DAY),
      publicKey: issuerKeys.publicKey,
      signingKey: rootKeys.privateKey,
      signingAlgorithm: EC,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(issuerKeys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    });
    const write = (name: string, text: string, secret: boolean) => {
      writeFileSync(join(dir, name), text, { mode: secret ? 0o600 : 0o644 });
      if (secret) chmodSync(join(dir, name), 0o600);
    };
    write('root.key', await exportKey(rootKeys.privateKey), true);
    write('issuer.key', await exportKey(issuerKeys.privateKey), true);
    write('root.pem', root.toString('pem') + '\n', false);
    write('issuer.pem', issuer.toString('pem') + '\n', false);
    write('trust-domain', trustDomain, false);
  }
  const onDisk = readFileSync(join(dir, 'trust-domain'), 'utf8');
  if (onDisk !== trustDomain) throw new Error(`CA in ${dir} is for trust domain "${onDisk}", not "${trustDomain}". Fix: use a fresh CA dir.`);
  const issuerPem = readFileSync(join(dir, 'issuer.pem'), 'utf8');
  return {
    trustDomain,
    rootPem: readFileSync(join(dir, 'root.pem'), 'utf8'),
    issuerPem,
    issuerKey: await importKey(readFileSync(join(dir, 'issuer.key'), 'utf8')),
    issuer: new x509.X509Certificate(issuerPem),
  };
}

export interface IssuedCert {
  /** Leaf then issuer, PEM. */
  chainPem: string;
  rootPem: string;
  notAfter: number;
  serial: string;
}

/**
 * Signs a workload CSR. The identity comes from the caller's authenticated token, never from the CSR: only the CSR's
 * public key (which must be P-256 and prove possession by a valid signature) is used.
 */
export async function signCsr(ca: Ca, csrPem: string, id: string, lifetimeMs: number): Promise<IssuedCert> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (err) {
    throw new Error(`CSR is not a PEM PKCS#10 request: ${(err as Error).message}`);
  }
  if (!(await csr.verify())) throw new Error('CSR signature does not verify');
  const alg = csr.publicKey.algorithm as EcKeyAlgorithm;
  if (alg.name !== 'ECDSA' || alg.namedCurve !== 'P-256') throw new Error(`CSR key must be ECDSA P-256, got ${alg.name} ${alg.namedCurve ?? ''}`);
  const notAfter = new Date(Date.now() + lifetimeMs);
  const leaf = await x509.X509CertificateGenerator.create({
    subject: '',
    issuer: ca.issuer.subject,
    notBefore: new Date(Date.now() - 30_000),
    notAfter,
    publicKey: csr.publicKey,
    signingKey: ca.issuerKey,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: id }], true),
      await x509.AuthorityKeyIdentifierExtension.create(ca.issuer.publicKey),
    ],
  });
  return { chainPem: leaf.toString('pem') + '\n' + ca.issuerPem, rootPem: ca.rootPem, notAfter: notAfter.getTime(), serial: leaf.serialNumber };
}

/** Facts of a PEM certificate as Node's TLS sees them (used by tests and the operator API). */
export function describeCert(chainPem: string): { id?: string; notAfter: number; issuer: string } {
  const cert = new NodeCert(chainPem);
  return { id: idFromSan(cert.subjectAltName), notAfter: Date.parse(cert.validTo), issuer: cert.issuer };
}
