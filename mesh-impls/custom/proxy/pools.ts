// Reused HTTP/2 sessions: one per peer proxy (mTLS, checked against the identity discovery names for that peer) and
// one per local HTTP/2 app port. Requests multiplex over them, so proxy-to-proxy traffic pays no handshake per request.
import * as http2 from 'node:http2';
import * as tls from 'node:tls';
import { idFromSan, serverNameOf } from '../shared/identity.ts';

const IDLE_MS = 60_000;

export class SessionPool {
  private sessions = new Map<string, http2.ClientHttp2Session>();

  get(key: string, create: () => http2.ClientHttp2Session): http2.ClientHttp2Session {
    const existing = this.sessions.get(key);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const s = create();
    this.sessions.set(key, s);
    const drop = () => {
      if (this.sessions.get(key) === s) this.sessions.delete(key);
    };
    s.on('error', drop);
    s.on('close', drop);
    s.on('goaway', drop);
    s.setTimeout(IDLE_MS, () => s.close());
    return s;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Graceful: GOAWAY, in-flight streams finish. */
  closeAll(): void {
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
  }
}

const SESSION_OPTS: http2.ClientSessionOptions = { settings: { enablePush: false, initialWindowSize: 1 << 20 }, maxSessionMemory: 32 };

/** TLS options for a connection to a peer proxy that must present `expectedId`. */
export function peerTlsOptions(ip: string, port: number, ctx: tls.SecureContext, expectedId: string, alpn: string): tls.ConnectionOptions {
  return {
    host: ip,
    port,
    secureContext: ctx,
    servername: serverNameOf(expectedId),
    ALPNProtocols: [alpn],
    rejectUnauthorized: true,
    checkServerIdentity: (_host, cert) => {
      const got = idFromSan(cert.subjectaltname);
      return got === expectedId ? undefined : new Error(`peer ${ip}:${port} presented identity ${got ?? 'none'}, discovery says ${expectedId}`);
    },
  };
}

export function connectPeer(ip: string, port: number, mtls: { ctx: tls.SecureContext; id: string } | undefined): http2.ClientHttp2Session {
  if (!mtls) return http2.connect(`http://${ip}:${port}`, SESSION_OPTS);
  return http2.connect(`https://${ip}:${port}`, {
    ...SESSION_OPTS,
    createConnection: () => {
      const sock = tls.connect(peerTlsOptions(ip, port, mtls.ctx, mtls.id, 'h2'));
      sock.setNoDelay(true); // small frames must not wait for Nagle + delayed ACK
      return sock;
    },
  });
}

export function connectLocalApp(port: number): http2.ClientHttp2Session {
  return http2.connect(`http://127.0.0.1:${port}`, SESSION_OPTS);
}
