// loadgenerator: upstream's in-cluster Locust users, as a closed-model simulator of the same journey. USERS virtual
// users (spawned RATE per second) each keep their own cookies, run the journey's onStart step, then loop: pick a
// step by weight, issue its requests in order (following redirects, as Locust does), wait 1–10 s.
// Before starting, it waits until the frontend answers (upstream's init container does the same with curl).
// PORT serves /_healthz and /stats (counts per step) so the pod has something to probe and to read.
import { createServer } from 'node:http';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Journey, JourneyStep } from '../../load/journey.ts';
import { CookieJar, drawParams, prepareRequest, validateJourney } from '../../load/virtual-user.ts';
import { pickWeighted } from '../../load/rng.ts';
import { onlineBoutiqueJourney } from '../journey.ts';
import { env, listenPort, onShutdown } from './grpc.ts';

const REQUEST_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;

export interface StepStats {
  runs: number;
  requests: number;
  failures: number;
}

/** One Locust user: its own cookie jar, steps run to completion one request after the other. */
export class VirtualUser {
  private jar = new CookieJar();
  private rand = Math.random;

  constructor(
    private baseUrl: string,
    private stats: Map<string, StepStats>,
  ) {}

  pickStep(journey: Journey): JourneyStep {
    return pickWeighted(this.rand, journey.steps);
  }

  /** Sends one request, following redirects as a GET the way Locust's client does; returns the final status. */
  private async send(method: string, path: string, body?: string): Promise<number> {
    let url = new URL(path, this.baseUrl);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = {};
      const cookie = this.jar.header();
      if (cookie) headers.cookie = cookie;
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      await res.arrayBuffer();
      this.jar.store(res.headers.getSetCookie());
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return res.status;
      url = new URL(location, url);
      method = 'GET';
      body = undefined;
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects from ${path}`);
  }

  async run(step: JourneyStep): Promise<void> {
    const s = this.stats.get(step.name) ?? { runs: 0, requests: 0, failures: 0 };
    this.stats.set(step.name, s);
    s.runs++;
    const params = drawParams(this.rand, step);
    for (const r of step.requests) {
      s.requests++;
      const req = prepareRequest(step, r, params);
      try {
        const status = await this.send(req.method, req.path, req.body);
        const ok = req.expect ? req.expect.includes(status) : status >= 200 && status < 400;
        if (!ok) throw new Error(`HTTP ${status}`);
      } catch (err) {
        s.failures++;
        console.warn(`${step.name}: ${req.method} ${req.path} failed: ${(err as Error).message}`);
        return;
      }
    }
  }
}

async function waitForFrontend(baseUrl: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(baseUrl, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      console.log(`waiting for frontend ${baseUrl}: HTTP ${res.status} (attempt ${attempt})`);
    } catch (err) {
      console.log(`waiting for frontend ${baseUrl}: ${(err as Error).message} (attempt ${attempt})`);
    }
    await sleep(Math.min(500 * attempt, 5000));
  }
}

export async function start(): Promise<void> {
  const baseUrl = `http://${env('FRONTEND_ADDR', 'the address of the frontend')}/`;
  const users = Number(process.env.USERS ?? 10);
  const rate = Number(process.env.RATE ?? 1);
  if (!Number.isInteger(users) || users < 0) throw new Error(`USERS="${process.env.USERS}" must be a whole number ≥ 0`);
  if (!(rate > 0)) throw new Error(`RATE="${process.env.RATE}" must be a positive number of users started per second`);
  const journey = onlineBoutiqueJourney;
  validateJourney(journey);
  const stats = new Map<string, StepStats>();
  let running = true;
  let started = 0;

  const port = listenPort(8089);
  const server = createServer((req, res) => {
    if (req.url === '/_healthz') return void res.end('ok');
    if (req.url === '/stats') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ users: started, steps: Object.fromEntries(stats) }));
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
  onShutdown(async () => {
    running = false;
    server.close();
  });
  console.log(`loadgenerator: stats on :${port}; ${users} users at ${rate}/s against ${baseUrl}`);

  await waitForFrontend(baseUrl);
  for (let i = 0; i < users && running; i++) {
    const user = new VirtualUser(baseUrl, stats);
    started++;
    void (async () => {
      if (journey.onStart) await user.run(journey.onStart);
      while (running) {
        await sleep(1000 + randomInt(9001));
        if (running) await user.run(user.pickStep(journey));
      }
    })();
    await sleep(1000 / rate);
  }
}
