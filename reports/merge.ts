// Merges several runs into one Results, e.g. a local run with a Kubernetes run of Linkerd and Consul. Rows keep
// their platform; the source runs' metadata is kept whole in meta.config.mergedFrom for the reproducibility section.
import { SCHEMA_VERSION, parseResults, type Results, type RunMeta } from './schema.ts';
import { runsOf } from './runs.ts';

export function mergeRuns(runs: Results[], commandLine = 'npm run report -- --merge'): Results {
  if (runs.length === 0) throw new Error('--merge needs at least one run folder.');
  const metas: RunMeta[] = runs.flatMap(runsOf);
  const unionVersions = (pick: (m: RunMeta) => Record<string, string>) => {
    const out: Record<string, string> = {};
    for (const m of metas) for (const [k, v] of Object.entries(pick(m))) out[k] = out[k] && out[k] !== v ? `${out[k]} / ${v}` : v;
    return out;
  };
  const unique = (xs: string[]) => [...new Set(xs)].join(', ');
  const ended = metas.map((m) => m.endedAt);
  const meta: RunMeta = {
    ...metas[0],
    runId: `merged-${metas.map((m) => m.runId).join('+')}`,
    gitCommit: unique(metas.map((m) => m.gitCommit)),
    harnessVersion: unique(metas.map((m) => m.harnessVersion)),
    startedAt: metas.map((m) => m.startedAt).sort()[0],
    endedAt: ended.includes(null) ? null : (ended as string[]).sort().at(-1)!,
    commandLine,
    config: { mergedFrom: metas },
    meshVersions: unionVersions((m) => m.meshVersions),
    toolVersions: unionVersions((m) => m.toolVersions),
  };
  return parseResults({
    schemaVersion: SCHEMA_VERSION, meta,
    scenarios: runs.flatMap((r) => r.scenarios), probes: runs.flatMap((r) => r.probes), installs: runs.flatMap((r) => r.installs),
    failures: runs.flatMap((r) => r.failures), maxRps: runs.flatMap((r) => r.maxRps),
  }, 'merged results');
}
