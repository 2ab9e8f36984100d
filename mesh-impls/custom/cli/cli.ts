// `npm run mesh -- <command>`: the operator CLI of the custom mesh, talking to the control plane's operator API of a
// running stack (`npm run up -- --mesh custom`, or a bench/test stack that is still up).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listStates } from '../../../clusters/local/state.ts';
import { OperatorClient } from './client.ts';
import { validatePolicy } from '../control-plane/policy.ts';

export const USAGE = `usage: npm run mesh -- <command> [--slot N] [--json]
  check                 every proxy: identity, certificate, config, metrics freshness (exit 1 if any problem)
  stat [--window S]     per service: success rate, RPS, latency p50/p95/p99, denials (default window 30 s)
  edges                 caller → callee pairs with their mTLS state and identities
  identity <pod>        the pod's SPIFFE id, certificate chain (PEM) and trust root (PEM)
  policy get            the policy in force (JSON)
  policy set <file|->   replace the policy with a JSON MeshPolicy {default, allow[]} (add "mtls": false to turn mTLS off)
  dashboard             the dashboard URL (open it from this host)`;

export function findStack(slot?: number): { slot: number; api: OperatorClient } {
  const stacks = listStates().filter((s) => s.info.customMesh);
  const chosen = slot === undefined ? stacks.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0] : stacks.find((s) => s.slot === slot);
  if (!chosen) {
    throw new Error(
      slot === undefined
        ? 'No running stack with the custom mesh. Fix: `npm run up -- --mesh custom` (or pass --slot N of a running one).'
        : `Stack ${slot} does not run the custom mesh. Stacks with it: ${stacks.map((s) => s.slot).join(', ') || 'none'}.`,
    );
  }
  const info = chosen.info.customMesh as { operatorUrl: string; cpDir: string };
  return { slot: chosen.slot, api: new OperatorClient(info.operatorUrl, () => readFileSync(join(info.cpDir, 'operator-token'), 'utf8').trim()) };
}

function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '(none)';
  const cols = Object.keys(rows[0]);
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v));
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(width[i])).join('  ').trimEnd();
  return [line(cols), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

export async function runCli(argv: string[], out: (s: string) => void = console.log): Promise<number> {
  const json = argv.includes('--json');
  const slotAt = argv.indexOf('--slot');
  const windowAt = argv.indexOf('--window');
  const slot = slotAt >= 0 ? Number(argv[slotAt + 1]) : undefined;
  const valueAt = new Set([slotAt, windowAt].filter((i) => i >= 0).map((i) => i + 1));
  const args = argv.filter((a, i) => !a.startsWith('--') && !valueAt.has(i));
  const [cmd, sub, arg] = args;
  if (!cmd || cmd === 'help') {
    out(USAGE);
    return cmd ? 0 : 2;
  }
  const { api } = findStack(slot);
  const print = (v: unknown, human: () => string) => out(json ? JSON.stringify(v, null, 2) : human());
  switch (cmd) {
    case 'check': {
      const c = await api.check();
      print(c, () => `${c.ok ? 'OK' : 'PROBLEMS'} · trust domain ${c.trustDomain} · mTLS ${c.mtls ? 'on' : 'off'} · config v${c.version}\n` + table(c.pods.map((p) => ({ pod: p.pod, identity: p.identity, cert_expires: p.certNotAfter ? new Date(p.certNotAfter).toISOString() : null, config: p.configVersion, status: p.ok ? 'ok' : p.problems.join('; ') }))));
      return c.ok ? 0 : 1;
    }
    case 'stat': {
      const s = await api.stat(windowAt >= 0 ? Number(argv[windowAt + 1]) * 1000 : 30_000);
      print(s, () => table(s.map((x) => ({ service: x.service, pods: x.pods, success: x.successRate === null ? null : `${(100 * x.successRate).toFixed(2)}%`, rps: x.rps, p50_ms: x.p50Ms, p95_ms: x.p95Ms, p99_ms: x.p99Ms, denied: x.denied, tcp_conns: x.tcpOpen, meshed_callers: x.meshedCallersPct === null ? null : `${x.meshedCallersPct.toFixed(0)}%` }))));
      return 0;
    }
    case 'edges': {
      const e = await api.edges();
      print(e, () => table(e.map((x) => ({ from: x.from, to: x.to, mtls: x.tls ? 'yes' : 'NO', client_id: x.fromId || '-', server_id: x.toId || '-', requests: x.requests, denied: x.denied }))));
      return 0;
    }
    case 'identity': {
      if (!sub) throw new Error('identity needs a pod name: npm run mesh -- identity <pod>');
      const id = await api.identity(sub);
      print(id, () => `pod ${id.pod}\nidentity ${id.identity}\nexpires ${id.notAfter ? new Date(id.notAfter).toISOString() : '(not issued)'}\n\n# certificate chain (leaf, issuer)\n${id.chainPem ?? '(not issued)'}\n# trust root\n${id.rootPem}`);
      return 0;
    }
    case 'policy': {
      if (sub === 'get') {
        out(JSON.stringify(await api.getPolicy(), null, 2));
        return 0;
      }
      if (sub === 'set') {
        if (!arg) throw new Error('policy set needs a JSON file (or - for stdin): npm run mesh -- policy set policy.json');
        const text = readFileSync(arg === '-' ? 0 : arg, 'utf8');
        let input: { policy?: unknown; mtls?: boolean } & Record<string, unknown>;
        try {
          input = JSON.parse(text);
        } catch (err) {
          throw new Error(`${arg} is not JSON: ${(err as Error).message}`);
        }
        const policy = validatePolicy(input.policy ?? input);
        const r = await api.setPolicy(policy, typeof input.mtls === 'boolean' ? input.mtls : undefined);
        out(`policy applied (config v${r.version})`);
        return 0;
      }
      throw new Error(`policy needs "get" or "set", got "${sub ?? ''}"`);
    }
    case 'dashboard':
      out(`${api.baseUrl}/`);
      return 0;
    default:
      throw new Error(`Unknown command "${cmd}".\n${USAGE}`);
  }
}
