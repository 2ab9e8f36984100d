// adservice: the ads for the requested categories (data/ads.json); when none match, 2 ads picked at random.
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Ad } from './api.ts';
import { listenPort, serve } from './grpc.ts';

export const RANDOM_ADS = 2;

export function loadAds(): Record<string, Ad[]> {
  return JSON.parse(readFileSync(new URL('../data/ads.json', import.meta.url), 'utf8')) as Record<string, Ad[]>;
}

export function adsFor(byCategory: Record<string, Ad[]>, contextKeys: readonly string[]): Ad[] {
  const matched = contextKeys.flatMap((key) => byCategory[key] ?? []);
  if (matched.length > 0) return matched;
  const all = Object.values(byCategory).flat();
  return Array.from({ length: RANDOM_ADS }, () => all[randomInt(all.length)]!);
}

export async function start(): Promise<void> {
  const byCategory = loadAds();
  await serve('AdService', { GetAds: (req) => ({ ads: adsFor(byCategory, req.context_keys) }) }, { port: listenPort(9555) });
}
