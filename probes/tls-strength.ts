// Probe 5: TLS strength on the mesh port. From an unmeshed pod, `openssl s_client` offers TLS 1.0, TLS 1.1 and weak
// TLS 1.2 cipher suites (NULL, anonymous, static-RSA, 3DES, RC4, SHA-1 CBC); node:tls records what a modern client
// negotiates. Acceptance is read from the server's own answer (a ServerHello), since a mesh port asking for a client
// certificate may still close the session after agreeing on the version. Pass: every weak offer refused, and TLS ≥ 1.2
// with an AEAD cipher negotiated by default.
import type { LocalProbeContext, Probe } from './types.ts';
import { clientPod, inPod } from './local/pods.ts';
import { mtlsPort, targetService } from './local/targets.ts';
import { cipherName } from './local/pcap.ts';

export const WEAK_CIPHERS = 'eNULL:aNULL:kRSA:3DES:RC4:SHA1:!PSK:@SECLEVEL=0';

export interface Offer {
  name: string;
  args: string[];
}

export const OFFERS: Offer[] = [
  // OpenSSL 3 refuses TLS < 1.2 at its default security level: the client must lower it to even offer them.
  { name: 'TLSv1', args: ['-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0'] },
  { name: 'TLSv1.1', args: ['-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0'] },
  { name: 'TLSv1.2 weak ciphers', args: ['-tls1_2', '-cipher', WEAK_CIPHERS] },
];

export interface ServerHello {
  version: string;
  cipher: string;
}

/** Finds the server's ServerHello in `openssl s_client -msg` output: its record version label and chosen cipher suite. */
export async function parseServerHello(msgOutput: string): Promise<ServerHello | undefined> {
  const lines = msgOutput.split('\n');
  const at = lines.findIndex((l) => /^<<< .*Handshake \[length [0-9a-f]+\], ServerHello$/.test(l));
  if (at < 0) return undefined;
  const version = /^<<< ([^,]+),/.exec(lines[at])![1].replace('TLS ', 'TLSv').replace('TLSv1.0', 'TLSv1');
  const hex: number[] = [];
  for (let i = at + 1; i < lines.length && /^\s+[0-9a-f]{2}( |$)/.test(lines[i]); i++) hex.push(...lines[i].trim().split(/\s+/).map((b) => parseInt(b, 16)));
  // type(1) length(3) legacy_version(2) random(32) session_id_length(1) session_id cipher_suite(2)
  const sid = hex[38] ?? 0;
  const suite = hex.length >= 41 + sid ? `0x${hex[39 + sid].toString(16).padStart(2, '0')}${hex[40 + sid].toString(16).padStart(2, '0')}` : 'unknown';
  return { version, cipher: await cipherName(suite) };
}

export const tlsStrength: Probe<LocalProbeContext> = {
  id: 'tls-strength',
  description: 'TLS below 1.2 and weak cipher suites are refused on the mesh port; records the protocol and cipher negotiated.',
  appliesTo: () => true,
  async run(ctx) {
    const target = targetService(ctx);
    const port = mtlsPort(ctx, target);
    const ip = ctx.stack.pod(target.name).ip;
    const client = await clientPod(ctx);
    const sClient = async (args: string[]) => {
      const r = await ctx.stack.exec(client, 'timeout', ['6', 'openssl', 's_client', '-connect', `${ip}:${port}`, '-msg', ...args], { timeoutMs: 10_000 });
      const out = `${r.stdout}\n${r.stderr}`;
      const hello = await parseServerHello(out);
      const detail = out.split('\n').find((l) => /alert|error|no protocols|wrong version|Connection refused|unexpected eof/i.test(l))?.trim().slice(0, 160) ?? `exit ${r.exitCode}`;
      return { accepted: !!hello, version: hello?.version, cipher: hello?.cipher, detail: hello ? 'ServerHello received' : detail };
    };
    const attempts = [];
    for (const offer of OFFERS) attempts.push({ offered: offer.name, ...(await sClient(offer.args)) });
    // What a default client gets: OpenSSL's ServerHello (works even when the port then demands a client certificate)
    // and node:tls's view of the finished handshake.
    const openssl = await sClient([]);
    const [node] = await inPod(ctx, client, [{ op: 'tls', host: ip, port, alpn: ctx.facts.alpn, timeoutMs: 4000 }]);
    const negotiated = {
      openssl: { version: openssl.version ?? null, cipher: openssl.cipher ?? null, detail: openssl.detail },
      nodeTls: { handshake: node.handshake, protocol: node.protocol ?? null, cipher: node.cipher ?? null, error: node.error ?? null },
    };
    const version = openssl.version ?? node.protocol ?? undefined;
    const cipher = openssl.cipher ?? node.cipher;
    const evidence = { target: `${target.name} ${ip}:${port}`, attempts, negotiated };
    const accepted = attempts.filter((a) => a.accepted);
    if (!openssl.accepted && !node.handshake && accepted.length === 0) {
      return { outcome: 'fail', summary: `${target.name}:${port} does not speak TLS at all (${node.error}): no transport security to grade.`, evidence };
    }
    if (accepted.length) {
      return { outcome: 'fail', summary: `${target.name}:${port} accepted ${accepted.map((a) => `${a.offered} (${a.version} ${a.cipher})`).join(', ')}.`, evidence };
    }
    if (!version || !['TLSv1.2', 'TLSv1.3'].includes(version) || !/GCM|CHACHA20|CCM/.test(cipher ?? '')) {
      return { outcome: 'fail', summary: `A default client negotiated ${version} ${cipher} with ${target.name}:${port}.`, evidence };
    }
    return {
      outcome: 'pass',
      summary: `${target.name}:${port} refused TLS 1.0, TLS 1.1 and weak TLS 1.2 suites; negotiates ${version} ${cipher}.`,
      evidence,
    };
  },
};
