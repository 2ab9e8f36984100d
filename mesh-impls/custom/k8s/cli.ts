// The mesh CLI against a cluster: `check`, `stat`, `edges` read the control plane's operator API through the API
// server's service proxy (/api/v1/namespaces/mesh-system/services/http:meshcp:operator/proxy/...), so they need
// only a kubeconfig — no port-forward, no open port. The request goes through `kubectl get --raw`, so every kind of
// kubeconfig authentication kubectl supports (certificates, exec plugins, OIDC) works here too.
import { execFile } from 'node:child_process';
import type { CheckResult } from '../cli/client.ts';
import type { Edge, ServiceStat } from '../control-plane/stats.ts';
import { OPERATOR_PROXY_PATH } from './kube-mesh.ts';

export interface KubeCliOptions {
  /** kubectl binary (the driver's pinned one; default: kubectl on PATH). */
  kubectl?: string;
  kubeconfig?: string;
  context?: string;
  json?: boolean;
  windowMs?: number;
}

/** GET one operator API path through the API server; throws with what went wrong and what to check. */
export function operatorGet<T>(path: string, o: KubeCliOptions = {}): Promise<T> {
  const args = ['get', '--raw', OPERATOR_PROXY_PATH + path, '--request-timeout=15s'];
  if (o.kubeconfig) args.push('--kubeconfig', o.kubeconfig);
  if (o.context) args.push('--context', o.context);
  return new Promise((resolve, reject) => {
    execFile(o.kubectl ?? 'kubectl', args, { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const why = (stderr || err.message).trim().slice(0, 400);
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error(`kubectl not found (${o.kubectl ?? 'kubectl'}). Fix: install kubectl or pass its path`));
        if (/NotFound|ServiceUnavailable|no endpoints available|the server could not find/i.test(why)) {
          return reject(new Error(`control plane not reachable through the API server (${why}). Is the custom mesh installed (kubectl -n mesh-system get deploy meshcp)?`));
        }
        if (/Forbidden|Unauthorized/i.test(why)) return reject(new Error(`API server refused (${why}); the kubeconfig user needs "get services/proxy" in mesh-system`));
        return reject(new Error(`operator API GET ${path} through the API server failed: ${why}`));
      }
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`operator API GET ${path} did not answer JSON: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
const ms = (v: number | null) => (v === null ? '-' : `${v}ms`);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

export function formatCheck(c: CheckResult): string {
  const lines = [`control plane: ${c.ok ? 'ok' : 'PROBLEMS'} (trust domain ${c.trustDomain}, mTLS ${c.mtls ? 'on' : 'off'}, config v${c.version})`];
  for (const p of c.pods) lines.push(`  ${p.ok ? 'ok ' : 'BAD'} ${p.pod} (${p.identity})${p.problems.length ? `: ${p.problems.join(', ')}` : ''}`);
  if (!c.pods.length) lines.push('  no meshed pods registered');
  return lines.join('\n');
}

export function formatStat(rows: ServiceStat[]): string {
  return table(
    ['SERVICE', 'PODS', 'SUCCESS', 'RPS', 'P50', 'P95', 'P99', 'DENIED', 'TCP', 'MESHED-CALLERS'],
    rows.map((s) => [s.service, String(s.pods), pct(s.successRate), s.rps.toFixed(1), ms(s.p50Ms), ms(s.p95Ms), ms(s.p99Ms), String(s.denied), String(s.tcpOpen), pct(s.meshedCallersPct)]),
  );
}

export function formatEdges(rows: Edge[]): string {
  return table(['FROM', 'TO', 'TLS', 'REQUESTS', 'DENIED'], rows.map((e) => [e.from, e.to, e.tls ? 'mTLS' : 'plaintext', String(e.requests), String(e.denied)]));
}

/** Runs one CLI command against a cluster; returns the text to print and whether the command succeeded. */
export async function runKubeCommand(command: string, o: KubeCliOptions = {}): Promise<{ ok: boolean; text: string }> {
  switch (command) {
    case 'check': {
      const c = await operatorGet<CheckResult>('/api/check', o);
      return { ok: c.ok, text: o.json ? JSON.stringify(c, null, 2) : formatCheck(c) };
    }
    case 'stat': {
      const s = await operatorGet<ServiceStat[]>(`/api/stat?windowMs=${o.windowMs ?? 30_000}`, o);
      return { ok: true, text: o.json ? JSON.stringify(s, null, 2) : formatStat(s) };
    }
    case 'edges': {
      const e = await operatorGet<Edge[]>('/api/edges', o);
      return { ok: true, text: o.json ? JSON.stringify(e, null, 2) : formatEdges(e) };
    }
    default:
      throw new Error(`unknown command "${command}" for a cluster; use check, stat or edges`);
  }
}
