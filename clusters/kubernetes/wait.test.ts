// Readiness by watch, against a local fake API server that speaks the list + watch protocol (a list with a
// resourceVersion, then a chunked stream of {type, object} lines): no cluster needed, real @kubernetes/client-node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { kubeClient } from './client.ts';
import { waitNamespaceReady, waitPodPhase, isReady } from './wait.ts';
import { verifySidecars } from './driver.ts';

type Handler = (url: URL, res: http.ServerResponse) => void;

async function fakeApi(handler: Handler) {
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    handler(new URL(req.url!, 'http://x'), res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const k8s = await kubeClient();
  const kc = new k8s.KubeConfig();
  kc.loadFromClusterAndUser({ name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }, { name: 'u' });
  return {
    kc,
    close: () => new Promise<void>((r) => {
      for (const res of open) res.destroy();
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}

const json = (res: http.ServerResponse, body: unknown) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const stream = (res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
const event = (res: http.ServerResponse, type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);

const deploy = (name: string, available: number) => ({
  metadata: { name, generation: 2 },
  spec: { replicas: 1 },
  status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: available, ...(available ? {} : { unavailableReplicas: 1 }) },
});

test('isReady: rollouts, stale generations, daemonsets', () => {
  assert.equal(isReady('Deployment', deploy('a', 1)), true);
  assert.equal(isReady('Deployment', deploy('a', 0)), false);
  assert.equal(isReady('Deployment', { ...deploy('a', 1), metadata: { name: 'a', generation: 3 } }), false, 'controller has not seen the new spec');
  assert.equal(isReady('StatefulSet', { metadata: { name: 's' }, spec: { replicas: 1 }, status: { readyReplicas: 1 } }), true);
  assert.equal(isReady('DaemonSet', { metadata: { name: 'd' }, status: { desiredNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2 } }), false);
});

test('waitNamespaceReady resolves on the watch event that makes the last workload ready', async () => {
  let watched = '';
  const api = await fakeApi((url, res) => {
    const watching = url.searchParams.get('watch') === 'true';
    if (url.pathname.endsWith('/deployments')) {
      if (!watching) return json(res, { kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: { resourceVersion: '10' }, items: [deploy('a', 1), deploy('b', 0)] });
      watched = url.searchParams.get('resourceVersion') ?? '';
      stream(res);
      setTimeout(() => event(res, 'MODIFIED', deploy('b', 1)), 150);
      return;
    }
    if (!watching) return json(res, { metadata: { resourceVersion: '10' }, items: [] });
    stream(res);
  });
  try {
    const started = Date.now();
    await waitNamespaceReady(api.kc, 'ob', 10);
    assert.equal(watched, '10', 'the watch starts from the list resourceVersion (no missed events)');
    assert.ok(Date.now() - started < 5000);
  } finally {
    await api.close();
  }
});

test('waitNamespaceReady times out naming what is not ready; an empty namespace is an error', async () => {
  const api = await fakeApi((url, res) => {
    if (url.searchParams.get('watch') === 'true') return stream(res);
    if (url.pathname.includes('/namespaces/empty/')) return json(res, { metadata: { resourceVersion: '1' }, items: [] });
    json(res, { metadata: { resourceVersion: '1' }, items: url.pathname.endsWith('/deployments') ? [deploy('cartservice', 0)] : [] });
  });
  try {
    await assert.rejects(waitNamespaceReady(api.kc, 'ob', 1), /Not ready after 1s in namespace ob: Deployment\/cartservice/);
    await assert.rejects(waitNamespaceReady(api.kc, 'empty', 1), /has no Deployments, StatefulSets or DaemonSets/);
  } finally {
    await api.close();
  }
});

test('waitPodPhase follows the pod until it reaches a wanted phase; verifySidecars judges the pod list', async () => {
  const pod = (phase: string, containers = ['server', 'linkerd-proxy']) => ({
    metadata: { name: 'p1' },
    spec: { containers: containers.map((name) => ({ name })) },
    status: { phase, containerStatuses: containers.map((name) => ({ name, ready: true, image: 'i', imageID: 'i', restartCount: 0 })) },
  });
  const api = await fakeApi((url, res) => {
    if (url.searchParams.get('watch') === 'true') {
      assert.equal(url.searchParams.get('fieldSelector'), 'metadata.name=p1');
      stream(res);
      event(res, 'ADDED', pod('Pending'));
      setTimeout(() => event(res, 'MODIFIED', pod('Running')), 100);
      return;
    }
    json(res, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [pod('Running'), { ...pod('Running', ['server']), metadata: { name: 'p2' } }] });
  });
  try {
    assert.equal(await waitPodPhase(api.kc, 'ob', 'p1', ['Running', 'Failed'], 10), 'Running');
    const v = await verifySidecars(api.kc, 'ob', ['linkerd-proxy']);
    assert.equal(v.ok, false);
    assert.deepEqual(v.pods.map((p) => [p.pod, p.meshed]), [['p1', true], ['p2', false]]);
  } finally {
    await api.close();
  }
});
