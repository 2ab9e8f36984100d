// Certificates for the probes: read what a workload certificate says (identity, key, lifetime), check its chain to a
// mesh root, and mint certificates from a CA the mesh has never seen (foreign-ca-rejected, and the tests' fixtures).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { X509Certificate, webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface CertFacts {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  lifetimeS: number;
  uris: string[];
  dnsNames: string[];
  /** e.g. "ec P-256", "rsa 2048", "ed25519". */
  keyType: string;
  fingerprint256: string;
}

/** Splits a PEM bundle into its certificates, in order. */
export function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Subject or issuer on one line; an empty name (SPIFFE leaves often have none) reads as "(empty)". */
const oneLine = (name: string | undefined) => (name ? name.replace(/\n/g, ', ') : '(empty)');

function keyTypeOf(cert: X509Certificate): string {
  const key = cert.publicKey;
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') return `ec ${d.namedCurve === 'prime256v1' ? 'P-256' : d.namedCurve === 'secp384r1' ? 'P-384' : d.namedCurve}`;
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return `${key.asymmetricKeyType} ${d.modulusLength}`;
  return String(key.asymmetricKeyType);
}

export function describeCert(pem: string): CertFacts {
  const cert = new X509Certificate(pem);
  const alt = cert.subjectAltName ?? '';
  const sans = alt.split(/,\s*/).filter(Boolean);
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    serial: cert.serialNumber,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    lifetimeS: Math.round((notAfter.getTime() - notBefore.getTime()) / 1000),
    uris: sans.filter((s) => s.startsWith('URI:')).map((s) => s.slice(4)),
    dnsNames: sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
    keyType: keyTypeOf(cert),
    fingerprint256: cert.fingerprint256,
  };
}

/**
 * Walks leaf → intermediates → one of the anchors, checking each signature and validity window.
 * Returns the subjects on the path, or the first reason the chain does not hold.
 */
export function verifyChain(chainPem: string[], anchorsPem: string[], at = new Date()): { ok: boolean; path: string[]; reason?: string } {
  if (chainPem.length === 0) return { ok: false, path: [], reason: 'no certificate' };
  if (anchorsPem.length === 0) return { ok: false, path: [], reason: 'the mesh declares no trust anchor' };
  const anchors = anchorsPem.map((p) => new X509Certificate(p));
  const pool = chainPem.slice(1).map((p) => new X509Certificate(p));
  let cert = new X509Certificate(chainPem[0]);
  const path = [oneLine(cert.subject)];
  for (let depth = 0; depth < 8; depth++) {
    if (at < new Date(cert.validFrom) || at > new Date(cert.validTo)) return { ok: false, path, reason: `${path.at(-1)} is outside its validity window` };
    const anchor = anchors.find((a) => cert.checkIssued(a) && cert.verify(a.publicKey));
    if (anchor) return { ok: true, path: [...path, oneLine(anchor.subject)] };
    const next = pool.find((c) => cert.checkIssued(c) && cert.verify(c.publicKey) && c.ca);
    if (!next) return { ok: false, path, reason: `no issuer for "${path.at(-1)}" among the presented chain and the mesh's roots` };
    cert = next;
    path.push(oneLine(cert.subject));
  }
  return { ok: false, path, reason: 'chain longer than 8' };
}

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface Issuer {
  certPem: string;
  keyPem: string;
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

export interface Issued {
  certPem: string;
  keyPem: string;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

function serial(): string {
  // Positive 16-byte serial, as CAs issue them.
  return `01${Buffer.from(webcrypto.getRandomValues(new Uint8Array(15))).toString('hex')}`;
}

/** A self-signed ECDSA P-256 root. */
export async function createCa(commonName: string, lifetimeS = 24 * 3600): Promise<Issuer> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const notBefore = new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 60_000 + lifetimeS * 1000),
    signingAlgorithm: EC,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey), cert, keys };
}

/** A workload certificate for `uri` (a SPIFFE id) and/or DNS names, valid from now for `lifetimeS`. */
export async function issueCert(ca: Issuer, opts: { uri?: string; dns?: string[]; lifetimeS: number; commonName?: string }): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const names: x509.JsonGeneralName[] = [
    ...(opts.uri ? [{ type: 'url' as const, value: opts.uri }] : []),
    ...(opts.dns ?? []).map((d) => ({ type: 'dns' as const, value: d })),
  ];
  const notBefore = new Date(Date.now() - 1000);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${opts.commonName ?? opts.dns?.[0] ?? 'workload'}`,
    issuer: ca.cert.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + opts.lifetimeS * 1000),
    signingAlgorithm: EC,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}
