// Reading a capture: does a marker appear in clear text (raw bytes, independent of any dissector), and what TLS did
// tshark see (handshakes, record counts, negotiated version and cipher).
import { readFileSync } from 'node:fs';
import { sh } from '../../clusters/local/sys.ts';

export interface PcapFacts {
  packets: number;
  payloadPackets: number;
  bytes: number;
  markerInClear: boolean;
  tls: {
    clientHellos: number;
    serverHellos: number;
    /** Records of any TLS type (handshake, alert, application data). */
    records: number;
    appDataRecords: number;
    versions: string[];
    ciphers: string[];
  };
  /** Server-side ports of the TCP conversations seen (the lower port of each pair). */
  ports: number[];
}

const VERSION_NAMES: Record<string, string> = { '0x0304': 'TLSv1.3', '0x0303': 'TLSv1.2', '0x0302': 'TLSv1.1', '0x0301': 'TLSv1', '0x0300': 'SSLv3' };

let cipherTable: Map<string, string> | undefined;

/** Cipher-suite id (0x1301) → name (TLS_AES_128_GCM_SHA256), from the local OpenSSL's own table. */
export async function cipherName(id: string): Promise<string> {
  if (!cipherTable) {
    cipherTable = new Map();
    const r = await sh({ nothrow: true })`openssl ciphers -V ALL:COMPLEMENTOFALL:@SECLEVEL=0`;
    for (const line of r.stdout.split('\n')) {
      const m = /0x([0-9A-F]{2}),0x([0-9A-F]{2})\s+-\s+(\S+)/i.exec(line);
      if (m) cipherTable.set(`0x${m[1]}${m[2]}`.toLowerCase(), m[3]);
    }
  }
  return cipherTable.get(id.toLowerCase()) ?? id;
}

export async function analyzePcap(file: string, marker: string): Promise<PcapFacts> {
  const raw = readFileSync(file);
  const conv = await sh({ nothrow: true })`tshark -r ${file} -T fields -E separator=/t -e tcp.srcport -e tcp.dstport -e tcp.len`;
  const lines = conv.stdout.split('\n').filter(Boolean);
  const ports = new Set<number>();
  let payloadPackets = 0;
  for (const line of lines) {
    const [a, b, len] = line.split('\t').map(Number);
    if (a && b) ports.add(Math.min(a, b));
    if (len > 0) payloadPackets++;
  }
  // TLS on arbitrary ports is not dissected by default: decode every server port as TLS. Plaintext then shows no records.
  const decodeAs = [...ports].flatMap((p) => ['-d', `tcp.port==${p},tls`]);
  const t = await sh({ nothrow: true })`tshark -r ${file} ${decodeAs} -T fields -E separator=/t -E aggregator=, -e tls.record.content_type -e tls.record.opaque_type -e tls.handshake.type -e tls.handshake.version -e tls.handshake.extensions.supported_version -e tls.handshake.ciphersuite`;
  const tls = { clientHellos: 0, serverHellos: 0, records: 0, appDataRecords: 0, versions: new Set<string>(), ciphers: new Set<string>() };
  for (const line of t.stdout.split('\n')) {
    const [contentTypes = '', opaqueTypes = '', hsTypes = '', hsVersions = '', supported = '', suites = ''] = line.split('\t');
    const types = [...contentTypes.split(','), ...opaqueTypes.split(',')].filter(Boolean);
    tls.records += types.length;
    tls.appDataRecords += types.filter((x) => x === '23').length;
    const hs = hsTypes.split(',').filter(Boolean);
    tls.clientHellos += hs.filter((x) => x === '1').length;
    if (hs.includes('2')) {
      tls.serverHellos++;
      // TLS 1.3 names its version in supported_versions; the legacy field stays 0x0303.
      const v = supported.split(',')[0] || hsVersions.split(',')[0];
      if (v) tls.versions.add(VERSION_NAMES[v] ?? v);
      const suite = suites.split(',')[0];
      if (suite) tls.ciphers.add(await cipherName(suite));
    }
  }
  return {
    packets: lines.length,
    payloadPackets,
    bytes: raw.length,
    markerInClear: raw.includes(Buffer.from(marker)),
    tls: { ...tls, versions: [...tls.versions], ciphers: [...tls.ciphers] },
    ports: [...ports].sort((a, b) => a - b),
  };
}
