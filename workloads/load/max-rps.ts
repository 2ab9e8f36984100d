// The search for the highest rate that still meets an SLO, bounded to a few measured steps.
//
// Strategy (≤ maxSteps measurements, default 6): measure startRps; while the SLO holds, double the rate (exponential
// ramp); if the first rate already fails, halve it until one holds. Once a met rate and a failed rate bracket the
// answer, bisect between them with the remaining steps. The answer is the highest rate measured that met the SLO
// (null when none did) — a lower bound, accurate to the final bracket width, which every step's evidence shows.
// Pure over `measure`: the caller decides how a rate is measured (a bench scenario, a synthetic function in tests).
import type { MaxRpsRecord } from '../../reports/schema.ts';
import { checkSlo, parseSlo, type Measured } from './slo.ts';

export interface MaxRpsSearch {
  slo: string;
  startRps: number;
  measure: (rps: number) => Promise<Measured>;
  /** Default 6. */
  maxSteps?: number;
  /** Rates are rounded to a multiple of this (default 1 req/s); bisection stops when the bracket is this narrow. */
  resolution?: number;
}

export type MaxRpsOutcome = Pick<MaxRpsRecord, 'slo' | 'maxRps' | 'steps'>;

export async function findMaxRps(search: MaxRpsSearch): Promise<MaxRpsOutcome> {
  const slo = parseSlo(search.slo); // fails fast on a bad SLO, before any load runs
  const maxSteps = search.maxSteps ?? 6;
  const resolution = search.resolution ?? 1;
  if (!(search.startRps > 0)) throw new Error(`max-rps search: startRps ${search.startRps} must be > 0`);
  if (!(Number.isInteger(maxSteps) && maxSteps >= 1)) throw new Error(`max-rps search: maxSteps ${maxSteps} must be an integer >= 1`);
  const round = (rps: number) => Math.max(resolution, Math.round(rps / resolution) * resolution);

  const steps: MaxRpsOutcome['steps'] = [];
  let best: number | null = null; // highest met
  let failed: number | null = null; // lowest failed
  let rps = round(search.startRps);
  while (steps.length < maxSteps) {
    const verdict = checkSlo(slo, { ...(await search.measure(rps)), targetRps: rps });
    steps.push({ rps, ...verdict });
    if (verdict.met) best = Math.max(best ?? 0, rps);
    else failed = Math.min(failed ?? Infinity, rps);

    let next: number;
    if (failed === null) next = rps * 2; // ramp up
    else if (best === null) next = round(rps / 2); // ramp down
    else next = round((best + failed) / 2); // bisect
    if (best === null && next === rps) break; // cannot go lower than the resolution
    if (best !== null && failed !== null && (failed - best <= resolution || next <= best || next >= failed)) break;
    rps = next;
  }
  return { slo: slo.text, maxRps: best, steps };
}
