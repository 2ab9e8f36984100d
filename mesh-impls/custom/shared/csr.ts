// A P-256 key and a PKCS#10 CSR for it, with node:crypto and a few lines of DER: the proxy needs nothing more, and an
// X.509 library would add ~14 MB to every sidecar's RSS. The control plane ignores the CSR's subject anyway.
import { generateKeyPairSync, sign } from 'node:crypto';

function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}
const seq = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts));

const OID_CN = Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03]);
const OID_ECDSA_SHA256 = Buffer.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);

export function makeKeyAndCsr(commonName = 'workload'): { keyPem: string; csrPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const subject = seq(der(0x31, seq(OID_CN, der(0x0c, Buffer.from(commonName, 'utf8')))));
  const info = seq(Buffer.from([0x02, 0x01, 0x00]), subject, publicKey.export({ type: 'spki', format: 'der' }), Buffer.from([0xa0, 0x00]));
  const signature = sign('sha256', info, privateKey); // DER-encoded ECDSA signature, as X.509 wants it
  const csr = seq(info, seq(OID_ECDSA_SHA256), der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const b64 = csr.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, csrPem: `-----BEGIN CERTIFICATE REQUEST-----\n${b64}-----END CERTIFICATE REQUEST-----\n` };
}
