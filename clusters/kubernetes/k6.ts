// Load in the cluster: a k6 Job (its own unmeshed namespace, so the load generator is a client from outside the
// mesh, like ingress) whose per-request points (`--out json`, NDJSON on stdout) become a LoadResult with HDR
// histograms per journey step. Point format (k6 docs, "JSON output"):
//   {"type":"Point","metric":"http_req_duration","data":{"time":"…","value":12.3,"tags":{"name":"…","status":"200",…}}}
import type { KubeObject } from '../../mesh-impls/types.ts';
import type { LoadResult } from '../../workloads/load/types.ts';
import type { ErrorCounts, RequestStats } from '../../reports/schema.ts';
import { createLatencyHistogram, encodeHistogram, recordMs, summarize } from '../../workloads/load/histogram.ts';
import { classifyStatus, emptyErrors } from '../../workloads/load/errors.ts';

/** Used until workloads/load/k6 provides its pinned image (then that one wins, see driver.ts). */
export const K6_IMAGE_FALLBACK = 'grafana/k6:1.3.0';
export const K6_ARGS = ['run', '--quiet', '--no-summary', '--out', 'json=/dev/stdout', '/scripts/script.js'];

export function k6Objects(o: { name: string; namespace: string; image: string; script: string; labels: Record<string, string>; timeoutS: number }): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: o.name, namespace: o.namespace, labels: o.labels }, data: { 'script.js': o.script } },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: o.name, namespace: o.namespace, labels: o.labels },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: o.timeoutS,
        ttlSecondsAfterFinished: 3600,
        template: {
          metadata: { labels: { ...o.labels, app: 'meshbench-k6' } },
          spec: {
            restartPolicy: 'Never',
            securityContext: { runAsNonRoot: true, runAsUser: 12345, runAsGroup: 12345 },
            containers: [
              {
                name: 'k6',
                image: o.image,
                args: K6_ARGS,
                resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '1Gi' } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
                volumeMounts: [{ name: 'script', mountPath: '/scripts', readOnly: true }],
              },
            ],
            volumes: [{ name: 'script', configMap: { name: o.name } }],
          },
        },
      },
    },
  ];
}

interface Point {
  type: string;
  metric: string;
  data: { time: string; value: number; tags?: Record<string, string> };
}

function isWarmup(tags: Record<string, string> | undefined): boolean {
  return tags?.phase === 'warmup' || tags?.scenario === 'warmup';
}

function classify(tags: Record<string, string> | undefined, errors: ErrorCounts): boolean {
  const status = Number(tags?.status ?? 0);
  if (status === 0) {
    // k6 error codes: 1050 request timeout; 1200s/1100s/1000s dial, DNS and generic network errors.
    const code = Number(tags?.error_code ?? 0);
    if (code === 1050) errors.timeout++;
    else if (code >= 1000 && code < 1300) errors.connect++;
    else errors.other++;
    return false;
  }
  // k6 tags each response `expected_response` from the script's response callback (default 200–399).
  const expected = tags?.expected_response !== undefined ? tags.expected_response === 'true' : status >= 200 && status < 400;
  if (expected) return true;
  errors[classifyStatus(status)]++;
  return false;
}

/** Builds a LoadResult from k6's NDJSON points; lines that are not points (k6's own logs) are ignored. */
export function parseK6Points(ndjson: string, targetRps: number): LoadResult {
  const steps = new Map<string, { h: ReturnType<typeof createLatencyHistogram>; requests: number; errors: ErrorCounts }>();
  const total = { h: createLatencyHistogram(), requests: 0, errors: emptyErrors() };
  let first = Infinity;
  let last = -Infinity;
  for (const line of ndjson.split('\n')) {
    if (!line.startsWith('{')) continue;
    let p: Point;
    try {
      p = JSON.parse(line) as Point;
    } catch {
      continue;
    }
    if (p.type !== 'Point' || p.metric !== 'http_req_duration' || isWarmup(p.data.tags)) continue;
    const t = Date.parse(p.data.time);
    first = Math.min(first, t);
    last = Math.max(last, t);
    const name = p.data.tags?.name ?? p.data.tags?.url ?? 'request';
    const step = steps.get(name) ?? { h: createLatencyHistogram(), requests: 0, errors: emptyErrors() };
    steps.set(name, step);
    for (const s of [step, total]) {
      s.requests++;
      if (classify(p.data.tags, s.errors)) recordMs(s.h, p.data.value);
    }
  }
  if (total.requests === 0) throw new Error('k6 produced no http_req_duration points in the measured window (did the script run? is the frontend reachable?)');
  const stats = (s: typeof total): RequestStats => ({ requests: s.requests, errors: s.errors, latencyMs: summarize(s.h), histogram: encodeHistogram(s.h) });
  const durationS = Math.max((last - first) / 1000, 1e-3);
  return {
    engine: 'k6',
    targetRps,
    achievedRps: total.requests / durationS,
    durationS,
    total: stats(total),
    steps: Object.fromEntries([...steps].map(([k, v]) => [k, stats(v)])),
    measureStartedAt: first,
    measureEndedAt: last,
  };
}
