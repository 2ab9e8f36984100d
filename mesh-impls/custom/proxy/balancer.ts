// Power of two choices over a latency EWMA (linkerd2-proxy's and Finagle's "P2C + PeakEWMA", simplified): pick two
// endpoints at random and send to the one with the lower cost = EWMA latency × (in-flight + 1).
export interface Weighted {
  key: string;
  ewmaMs: number;
  inflight: number;
}

const ALPHA = 0.3;
const INITIAL_MS = 1;

export class Balancer<T extends { ip: string }> {
  private state = new Map<string, Weighted>();

  stateOf(ep: T): Weighted {
    let s = this.state.get(ep.ip);
    if (!s) {
      s = { key: ep.ip, ewmaMs: INITIAL_MS, inflight: 0 };
      this.state.set(ep.ip, s);
    }
    return s;
  }

  pick(endpoints: readonly T[], random = Math.random): T {
    if (endpoints.length === 1) return endpoints[0];
    const i = Math.floor(random() * endpoints.length);
    let j = Math.floor(random() * (endpoints.length - 1));
    if (j >= i) j++;
    const a = endpoints[i];
    const b = endpoints[j];
    const cost = (e: T) => {
      const s = this.stateOf(e);
      return s.ewmaMs * (s.inflight + 1);
    };
    return cost(a) <= cost(b) ? a : b;
  }

  start(ep: T): Weighted {
    const s = this.stateOf(ep);
    s.inflight++;
    return s;
  }

  /** Records a finished request; failures count as slow so traffic drifts away from a failing endpoint. */
  end(s: Weighted, ms: number, ok: boolean): void {
    s.inflight--;
    const sample = ok ? ms : Math.max(ms, s.ewmaMs * 4, 100);
    s.ewmaMs = s.ewmaMs + ALPHA * (sample - s.ewmaMs);
  }
}

/** Retries may add at most `ratio` of the request volume, plus `minPerSecond` so that low traffic can still retry. */
export class RetryBudget {
  private tokens: number;
  private lastRefill = Date.now();
  constructor(
    private readonly ratio = 0.2,
    private readonly minPerSecond = 10,
  ) {
    this.tokens = minPerSecond;
  }

  deposit(): void {
    this.tokens = Math.min(this.tokens + this.ratio, 1000);
  }

  tryWithdraw(): boolean {
    const now = Date.now();
    if (now - this.lastRefill >= 1000) {
      this.tokens = Math.max(this.tokens, this.minPerSecond);
      this.lastRefill = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
