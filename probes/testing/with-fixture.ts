// Runs some probes against a fixture built for one test and always tears it down.
import { runProbes } from '../index.ts';
import type { ProbeRecord } from '../../reports/schema.ts';
import type { LocalProbeContext, PolicyProfile } from '../types.ts';
import { startFixture, type FixtureOptions } from './fixture.ts';

export async function probeFixture(
  opts: FixtureOptions,
  only: string[],
  run: { profile?: PolicyProfile; adjust?: (ctx: LocalProbeContext) => LocalProbeContext } = {},
): Promise<Map<string, ProbeRecord>> {
  const fixture = await startFixture(opts);
  try {
    const ctx = run.adjust ? run.adjust(fixture.ctx) : fixture.ctx;
    const records = await runProbes(ctx, { only, profile: run.profile ?? 'strict', long: true });
    return new Map(records.map((r) => [`${r.probe}/${r.policy}`, r]));
  } finally {
    await fixture.teardown();
  }
}
