import type { Results, RunMeta } from './schema.ts';

/** Source runs of a merged report are kept in meta.config.mergedFrom (see merge.ts); a single run is its own meta. */
export function runsOf(results: Results): RunMeta[] {
  const merged = results.meta.config.mergedFrom;
  return Array.isArray(merged) && merged.length ? (merged as RunMeta[]) : [results.meta];
}
