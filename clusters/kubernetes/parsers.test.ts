// Parsers of tool output, on samples in the documented formats (testdata/): `linkerd check -o json`
// (pkg/healthcheck/healthcheck_output.go) and the kubelet summary API (stats/v1alpha1 Summary). The k6 output parser
// is workloads/load/k6's (tested there on k6's documented formats); the driver feeds it the Job's points.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseLinkerdCheck, judgeLinkerdCheck } from '../../mesh-impls/linkerd/check.ts';
import { judgeInjectStatus } from '../../mesh-impls/consul/index.ts';
import { parseKubeletSummary, resourcesFromSamples } from './kubelet.ts';
import { judgePods } from './driver.ts';

const sample = (f: string) => readFileSync(new URL(`./testdata/${f}`, import.meta.url), 'utf8');

test('linkerd check JSON: success with a warning', () => {
  const r = parseLinkerdCheck(sample('linkerd-check.json'));
  assert.equal(r.ok, true);
  assert.equal(r.checks, 5);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /\[linkerd-identity\] issuer cert is valid for at least 60 days: issuer certificate will expire/);
  assert.match(judgeLinkerdCheck(sample('linkerd-check.json')).detail, /5 checks passed, 1 warning/);
});

test('linkerd check JSON: a failed check fails the step and names the check', () => {
  const r = judgeLinkerdCheck(sample('linkerd-check-failed.json'));
  assert.equal(r.ok, false);
  assert.match(r.detail, /data plane proxies are ready: No "linkerd-proxy" containers found.*l5d-data-plane-ready/);
  assert.throws(() => parseLinkerdCheck('Linkerd core checks\n===='), /did not print JSON/);
});

test('kubelet summary: per-container CPU from the cumulative counter, peak RSS, roles', () => {
  const s1 = parseKubeletSummary(sample('kubelet-summary-1.json'));
  const s2 = parseKubeletSummary(sample('kubelet-summary-2.json'));
  assert.equal(s1.length, 4);
  assert.equal(s2.length, 4, 'a container without CPU stats yet is skipped');
  const roleOf = ({ namespace, container }: { namespace: string; container: string }) =>
    container === 'linkerd-proxy' ? 'proxy' as const : namespace === 'linkerd' ? 'control-plane' as const : namespace === 'online-boutique' ? 'app' as const : undefined;
  const res = resourcesFromSamples([...s2, ...s1, ...s1], roleOf);
  const by = Object.fromEntries(res.map((r) => [`${r.pod}/${r.process}`, r]));
  assert.equal(res.length, 3, 'kube-system is not counted');
  const server = by['frontend-7c9d8b6f5-abcde/server'];
  assert.equal(server.role, 'app');
  assert.ok(Math.abs(server.cpuMeanCores - 0.25) < 1e-9, `${server.cpuMeanCores}`);
  assert.equal(server.rssPeakBytes, 21_000_000);
  assert.equal(server.samples, 2, 'duplicate readings (kubelet cache) are counted once');
  const proxy = by['frontend-7c9d8b6f5-abcde/linkerd-proxy'];
  assert.equal(proxy.role, 'proxy');
  assert.ok(Math.abs(proxy.cpuMeanCores - 0.1) < 1e-9);
  assert.equal(by['linkerd-destination-5d6f7-xyz/destination'].role, 'control-plane');
  assert.throws(() => parseKubeletSummary('{"node":{}}'), /no "pods" list/);
});

test('meshed-state judges: sidecars and Consul inject status', () => {
  const pod = (name: string, containers: string[], ready = true, init: string[] = []) => ({
    metadata: { name },
    spec: { containers: containers.map((n) => ({ name: n })), initContainers: init.map((n) => ({ name: n })) },
    status: { containerStatuses: containers.map((n) => ({ name: n, ready, image: '', imageID: '', restartCount: 0 })), initContainerStatuses: init.map((n) => ({ name: n, ready: true, image: '', imageID: '', restartCount: 0 })) },
  });
  assert.equal(judgePods([pod('a', ['server', 'linkerd-proxy']), pod('b', ['server'], true, ['linkerd-proxy'])] as never, ['linkerd-proxy']).ok, true);
  const v = judgePods([pod('a', ['server', 'linkerd-proxy']), pod('c', ['server'])] as never, ['linkerd-proxy']);
  assert.equal(v.ok, false);
  assert.match(v.pods[1].detail, /no linkerd-proxy container/);
  assert.equal(judgePods([pod('a', ['server', 'linkerd-proxy'], false)] as never, ['linkerd-proxy']).ok, false);
  assert.equal(judgePods([], ['linkerd-proxy']).ok, false, 'no pods is not a meshed workload');
  assert.deepEqual(judgeInjectStatus('frontend-1 injected\ncartservice-1 injected\n'), { ok: true, detail: '2 pods injected' });
  assert.equal(judgeInjectStatus('frontend-1 injected\nredis-cart-1 \n').ok, false);
});
