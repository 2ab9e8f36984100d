// Walks a workload's user journey once, every step in order (onStart first), from the host like the load generator:
// the end-to-end check that a restrictive policy left the application working (for Online Boutique: a full checkout).
import type { Journey, JourneyValue } from '../../workloads/load/journey.ts';

export interface JourneyOnce {
  ok: boolean;
  steps: { step: string; method: string; path: string; status: number | string }[];
  failedAt?: string;
}

function draw(v: JourneyValue): string {
  if (typeof v === 'string') return v;
  if ('oneOf' in v) return v.oneOf[0];
  if ('int' in v) return String(v.int[0]);
  return String(new Date().getFullYear() + v.yearsFromNow[1]);
}

const fill = (s: string, params: Record<string, string>) => s.replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? `{${k}}`);

export async function runJourneyOnce(baseUrl: string, journey: Journey, timeoutMs = 10_000): Promise<JourneyOnce> {
  const cookies = new Map<string, string>();
  const out: JourneyOnce = { ok: true, steps: [] };
  for (const step of [...(journey.onStart ? [journey.onStart] : []), ...journey.steps]) {
    const params = Object.fromEntries(Object.entries(step.params ?? {}).map(([k, v]) => [k, draw(v)]));
    for (const req of step.requests) {
      const path = fill(req.path, params);
      const headers: Record<string, string> = {};
      if (journey.cookies && cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      let body: string | undefined;
      if (req.form) {
        body = new URLSearchParams(Object.fromEntries(Object.entries(req.form).map(([k, v]) => [k, fill(v, params)]))).toString();
        headers['content-type'] = 'application/x-www-form-urlencoded';
      }
      let status: number | string;
      try {
        const res = await fetch(new URL(path, baseUrl), { method: req.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
        await res.arrayBuffer();
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const eq = pair.indexOf('=');
          if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
        }
        status = res.status;
      } catch (err) {
        status = (err as Error).name === 'TimeoutError' ? 'timeout' : ((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
      }
      out.steps.push({ step: step.name, method: req.method, path, status });
      const ok = typeof status === 'number' && (req.expect ? req.expect.includes(status) : status >= 200 && status < 400);
      if (!ok) return { ...out, ok: false, failedAt: `${step.name} (${req.method} ${path} → ${status})` };
    }
  }
  return out;
}
