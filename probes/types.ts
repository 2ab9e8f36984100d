// The Probe seam: one module per security property. A probe returns evidence for its outcome, and every probe has a
// test in which the property is absent and the probe fails.
import type { PlatformName, ProbeOutcome } from '../reports/schema.ts';

export interface ProbeResult {
  outcome: ProbeOutcome;
  /** One sentence a reader of the report can act on. */
  summary: string;
  evidence: Record<string, unknown>;
}

export interface Probe<Ctx> {
  id: string;
  description: string;
  appliesTo(platform: PlatformName, mesh: string): boolean;
  run(ctx: Ctx): Promise<ProbeResult>;
  /** Probes that need the long profile (cert rotation). */
  longOnly?: boolean;
}
