// Journey execution state: a virtual user (VU) is one session walking the journey one request at a time.
// A VU runs the journey's onStart step once, then weighted steps forever; a step's params are drawn once when the
// step starts and shared by all of its requests. With `journey.cookies` each VU keeps its own cookie jar.
import type { Journey, JourneyRequest, JourneyStep, JourneyValue } from './journey.ts';
import { pickWeighted, randomInt } from './rng.ts';

export interface PreparedRequest {
  step: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  expect?: readonly number[];
  /** A unary gRPC call (journey.ts JourneyGrpcCall) with its message's placeholders filled. */
  grpc?: { protoFile: string; message: object };
}

const PLACEHOLDER = /\{(\w+)\}/g;

/** Throws a clear error when a journey cannot run: no steps, bad weights, or placeholders without a param. */
export function validateJourney(journey: Journey): void {
  if (journey.steps.length === 0) throw new Error(`journey "${journey.name}" has no steps; add at least one weighted step`);
  const all = journey.onStart ? [journey.onStart, ...journey.steps] : journey.steps;
  for (const step of all) {
    if (!(step.weight > 0) && step !== journey.onStart) {
      throw new Error(`journey "${journey.name}" step "${step.name}" has weight ${step.weight}; weights must be > 0`);
    }
    if (step.requests.length === 0) throw new Error(`journey "${journey.name}" step "${step.name}" has no requests`);
    for (const req of step.requests) {
      if (!req.path.startsWith('/')) throw new Error(`journey "${journey.name}" step "${step.name}": path "${req.path}" must start with "/"`);
      if (req.grpc && (req.method !== 'POST' || !/^\/[^/]+\/[^/]+$/.test(req.path))) {
        throw new Error(`journey "${journey.name}" step "${step.name}": a gRPC request needs method POST and path /package.Service/Method, not ${req.method} ${req.path}`);
      }
      const texts = [req.path, ...Object.values(req.form ?? {}), ...stringsIn(req.grpc?.message)];
      for (const text of texts) {
        for (const [, name] of text.matchAll(PLACEHOLDER)) {
          if (!step.params || !(name in step.params)) {
            throw new Error(`journey "${journey.name}" step "${step.name}" uses {${name}} but declares no param "${name}"; add it to the step's params`);
          }
        }
      }
    }
  }
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** Fills `{param}` placeholders in every string of a JSON value (a gRPC message). */
export function fillDeep(value: unknown, params: Record<string, string>): unknown {
  if (typeof value === 'string') return fill(value, params);
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, params));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillDeep(v, params)]));
  return value;
}

export function drawValue(rand: () => number, v: JourneyValue, now = new Date()): string {
  if (typeof v === 'string') return v;
  if ('oneOf' in v) return v.oneOf[Math.floor(rand() * v.oneOf.length)];
  if ('int' in v) return String(randomInt(rand, v.int[0], v.int[1]));
  return String(now.getUTCFullYear() + randomInt(rand, v.yearsFromNow[0], v.yearsFromNow[1]));
}

export function drawParams(rand: () => number, step: JourneyStep): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(step.params ?? {})) out[name] = drawValue(rand, v);
  return out;
}

export function fill(template: string, params: Record<string, string>, encode: (s: string) => string = (s) => s): string {
  return template.replace(PLACEHOLDER, (_, name: string) => encode(params[name]));
}

export function prepareRequest(step: JourneyStep, req: JourneyRequest, params: Record<string, string>): PreparedRequest {
  const prepared: PreparedRequest = { step: step.name, method: req.method, path: fill(req.path, params, encodeURIComponent), expect: req.expect };
  if (req.form) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(req.form)) form.append(k, fill(v, params));
    prepared.body = form.toString();
  }
  if (req.grpc) prepared.grpc = { protoFile: req.grpc.protoFile, message: fillDeep(req.grpc.message ?? {}, params) as object };
  return prepared;
}

/** Keeps name=value pairs from Set-Cookie headers; a cookie with Max-Age<=0 or an Expires in the past is removed. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(setCookie: string | string[] | undefined): void {
    if (!setCookie) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attrs.some((a) => {
        const [k, v = ''] = a.split('=').map((s) => s.trim());
        if (k.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (k.toLowerCase() === 'expires') return Date.parse(v) < Date.now();
        return false;
      });
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export class VirtualUser {
  readonly jar: CookieJar | undefined;
  private started = false;
  private readonly queue: PreparedRequest[] = [];

  constructor(
    private readonly journey: Journey,
    private readonly rand: () => number,
  ) {
    this.jar = journey.cookies ? new CookieJar() : undefined;
  }

  /** The VU's next request: the rest of its current step, else a new step (onStart first). */
  next(): PreparedRequest {
    if (this.queue.length === 0) {
      const step = !this.started && this.journey.onStart ? this.journey.onStart : pickWeighted(this.rand, this.journey.steps);
      this.started = true;
      const params = drawParams(this.rand, step);
      for (const req of step.requests) this.queue.push(prepareRequest(step, req, params));
    }
    return this.queue.shift()!;
  }
}
