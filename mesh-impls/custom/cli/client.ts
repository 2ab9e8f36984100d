// Client of the control plane's operator API: used by the CLI (`npm run mesh`), by LocalMesh and by tests/probes.
import type { MeshPolicy } from '../../types.ts';
import type { ServiceStat, Edge } from '../control-plane/stats.ts';
import { setTimeout as sleep } from 'node:timers/promises';

export interface CheckResult {
  ok: boolean;
  version: number;
  trustDomain: string;
  mtls: boolean;
  pods: { pod: string; service: string; identity: string; certNotAfter: number | null; configVersion: number | null; ok: boolean; problems: string[] }[];
}

export interface IdentityResult {
  pod: string;
  identity: string;
  chainPem: string | null;
  rootPem: string;
  notAfter: number | null;
  serial: string | null;
}

export class OperatorClient {
  constructor(
    readonly baseUrl: string,
    private token: () => string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { 'content-type': 'application/json', ...(method === 'GET' ? {} : { authorization: `Bearer ${this.token()}` }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) {
      let reason = text.trim();
      try {
        reason = JSON.parse(text).error ?? reason;
      } catch {}
      throw new Error(`operator API ${method} ${path}: HTTP ${res.status}: ${reason}`);
    }
    return JSON.parse(text) as T;
  }

  async waitUp(timeoutMs: number, failed: () => string | false): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.check();
        return;
      } catch (err) {
        const why = failed();
        if (why) throw new Error(why);
        if (Date.now() > deadline) throw new Error(`control plane at ${this.baseUrl} not up after ${timeoutMs} ms: ${(err as Error).message}`);
        await sleep(100);
      }
    }
  }

  check = () => this.call<CheckResult>('GET', '/api/check');
  stat = (windowMs = 30_000) => this.call<ServiceStat[]>('GET', `/api/stat?windowMs=${windowMs}`);
  edges = () => this.call<Edge[]>('GET', '/api/edges');
  identity = (pod: string) => this.call<IdentityResult>('GET', `/api/identity/${encodeURIComponent(pod)}`);
  getPolicy = () => this.call<{ policy: MeshPolicy; mtls: boolean }>('GET', '/api/policy');
  setPolicy = (policy: MeshPolicy, mtls?: boolean) => this.call<{ version: number }>('PUT', '/api/policy', { policy, ...(mtls === undefined ? {} : { mtls }) });
  registerPod = (reg: Record<string, unknown>) => this.call<{ identity: string; version: number }>('POST', '/api/pods', reg);
}
