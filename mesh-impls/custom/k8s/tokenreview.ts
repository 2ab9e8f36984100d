// Identity on Kubernetes: a proxy proves who it is with its projected ServiceAccount token (audience-bound to the
// mesh, short-lived, bound to the pod). The control plane asks the API server (TokenReview) whether the token is
// genuine and for whom, and only then signs the proxy's CSR for spiffe://<td>/ns/<ns>/sa/<sa> — the namespace and
// ServiceAccount come from the reviewed username, never from anything the proxy claims.
import { createHash } from 'node:crypto';
import type { V1TokenReview, V1TokenReviewStatus } from '@kubernetes/client-node';
import type { ApiClient } from './apiclient.ts';
import { spiffeId } from '../shared/pki.ts';

export interface ReviewedIdentity {
  namespace: string;
  serviceAccount: string;
  /** SPIFFE id the proxy's certificate will carry. */
  identity: string;
  /** Pod the token is bound to (projected tokens carry it; legacy Secret tokens do not). */
  pod?: string;
  podUid?: string;
}

/** Sends one TokenReview; returns its status. */
export type TokenReviewer = (token: string, audiences: readonly string[]) => Promise<V1TokenReviewStatus>;

export function apiTokenReviewer(api: ApiClient): TokenReviewer {
  return async (token, audiences) => {
    const body: V1TokenReview = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: [...audiences] } };
    const r = await api.request<V1TokenReview>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', body);
    return r.status ?? {};
  };
}

const SA_USER = /^system:serviceaccount:([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/;

/** Judges a TokenReview status: authenticated, for our audience, and a ServiceAccount. Throws with the reason. */
export function identityFromReview(status: V1TokenReviewStatus, audience: string, trustDomain: string): ReviewedIdentity {
  if (!status.authenticated) throw new Error(`token rejected by the API server${status.error ? `: ${status.error}` : ''}`);
  // With spec.audiences set, the API server answers with the audiences the token is valid for among them.
  if (!status.audiences?.includes(audience)) throw new Error(`token is not for audience "${audience}" (valid for: ${(status.audiences ?? []).join(', ') || 'none reported'})`);
  const username = status.user?.username ?? '';
  const m = SA_USER.exec(username);
  if (!m) throw new Error(`token belongs to "${username}", not a ServiceAccount`);
  const extra = status.user?.extra ?? {};
  return {
    namespace: m[1],
    serviceAccount: m[3],
    identity: spiffeId(trustDomain, m[1], m[3]),
    pod: extra['authentication.kubernetes.io/pod-name']?.[0],
    podUid: extra['authentication.kubernetes.io/pod-uid']?.[0],
  };
}

/** The `exp` claim of a JWT, read without verifying (only to bound how long a review is cached); undefined if none. */
function jwtExpiryMs(token: string): number | undefined {
  try {
    const exp = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export interface AuthenticatorOptions {
  trustDomain: string;
  audience: string;
  /** How long a positive review is reused (never past the token's own expiry). Proxies call on every watch and report. */
  cacheMs?: number;
  now?: () => number;
}

/**
 * Authenticates proxies' bearer tokens with TokenReview, caching positive answers briefly by the token's hash (a
 * proxy reconnects and reports every few seconds; one review per token per minute is plenty). Failures are not
 * cached, so a token that becomes valid (clock skew, a new pod) is accepted on the next try.
 */
export class ServiceAccountAuthenticator {
  private cache = new Map<string, { id: ReviewedIdentity; until: number }>();
  private now: () => number;

  constructor(
    private review: TokenReviewer,
    private opts: AuthenticatorOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  async authenticate(token: string): Promise<ReviewedIdentity> {
    if (!token) throw new Error('no bearer token: the proxy must present its projected ServiceAccount token');
    const key = createHash('sha256').update(token).digest('hex');
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.id;
    const id = identityFromReview(await this.review(token, [this.opts.audience]), this.opts.audience, this.opts.trustDomain);
    const until = Math.min(now + (this.opts.cacheMs ?? 60_000), jwtExpiryMs(token) ?? Infinity);
    for (const [k, v] of this.cache) if (v.until <= now) this.cache.delete(k);
    this.cache.set(key, { id, until });
    return id;
  }
}
