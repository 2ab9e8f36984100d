// Linkerd's identity needs a trust anchor and an issuer the harness generates itself (Linkerd docs: "Generating your
// own mTLS root certificates"): both ECDSA P-256 CAs, the issuer signed by the anchor, CN names as `step` would make.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto, createPrivateKey } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
export const TRUST_DOMAIN = 'cluster.local';

export interface LinkerdIdentity {
  /** PEM of the trust anchor certificate (`--identity-trust-anchors-file`). */
  trustAnchor: string;
  /** PEM of the issuer certificate and its SEC1 "EC PRIVATE KEY" (`--identity-issuer-certificate-file`, `-key-file`). */
  issuerCert: string;
  issuerKey: string;
}

async function caExtensions(keys: CryptoKeyPair, pathLength: number) {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
}

/** A fresh anchor (10 years) and issuer (1 year) for one run. */
export async function generateLinkerdIdentity(now = Date.now()): Promise<LinkerdIdentity> {
  const anchorKeys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const anchor = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=root.linkerd.${TRUST_DOMAIN}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3650 * DAY),
    keys: anchorKeys,
    signingAlgorithm: EC,
    extensions: await caExtensions(anchorKeys, 1),
  });
  const issuerKeys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const issuer = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: `CN=identity.linkerd.${TRUST_DOMAIN}`,
    issuer: anchor.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * DAY),
    publicKey: issuerKeys.publicKey,
    signingKey: anchorKeys.privateKey,
    signingAlgorithm: EC,
    extensions: [
      ...(await caExtensions(issuerKeys, 0)),
      await x509.AuthorityKeyIdentifierExtension.create(anchorKeys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', issuerKeys.privateKey));
  const issuerKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'sec1', format: 'pem' }).toString();
  return { trustAnchor: anchor.toString('pem') + '\n', issuerCert: issuer.toString('pem') + '\n', issuerKey };
}
