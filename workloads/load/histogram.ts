// Latency histograms: one configuration everywhere (HDR, 3 significant digits, 1 µs–60 s, values in µs) so that
// histograms from workers, repetitions and k6 runs can always be merged. The encoded form (compressed base64) is
// what crosses thread boundaries and lands in results files.
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from '../../reports/schema.ts';

export const LOWEST_US = 1;
export const HIGHEST_US = 60_000_000;

export function createLatencyHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
    bitBucketSize: 32,
  });
}

/** Records a latency in milliseconds (fractional) as whole µs, clamped to the histogram's range. */
export function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(us < LOWEST_US ? LOWEST_US : us > HIGHEST_US ? HIGHEST_US : us);
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  if (encoded === '') throw new Error('this result has no histogram (a k6 summary-only result); run k6 with --out json=FILE so it can be rebuilt');
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32);
  // Copy into our standard configuration so every merge target has the same range.
  const h = createLatencyHistogram();
  h.add(decoded);
  return h;
}

/** Merges encoded histograms by adding their counts (the only valid way to combine percentiles). */
export function mergeEncoded(encoded: readonly string[]): Histogram {
  const h = createLatencyHistogram();
  for (const e of encoded) {
    if (e === '') throw new Error('a result without a histogram (a k6 summary-only result) cannot be merged; run k6 with --out json=FILE so the histogram is rebuilt from its points');
    h.add(hdr.decodeFromCompressedBase64(e, 32));
  }
  return h;
}

/** Latency summary in milliseconds; all zeros for an empty histogram. */
export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const ms = (us: number) => us / 1000;
  return {
    min: ms(h.minNonZeroValue),
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}
