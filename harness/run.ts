// The run model: platform × meshes × RPS levels × repetitions. Per repetition the mesh order is shuffled from the
// seed; each mesh gets a fresh deployment that is verified healthy and meshed before anything is measured; each
// level has a warm-up and a measured window with resources sampled over it; every finished piece of evidence is
// appended to results.ndjson at once. A resumed run skips what the ndjson already holds.
import { versions as nodeVersions } from 'node:process';
import type { BenchConfig } from './config.ts';
import { meshOrder } from './rng.ts';
import { ResultsStore, mergeResults, readRecords, writeResults, writeRunFile } from './results-store.ts';
import { gitCommit, harnessVersion, hostInfo } from './host-info.ts';
import { onCleanup } from './cleanup.ts';
import { Progress } from './progress.ts';
import { loadMesh } from '../mesh-impls/index.ts';
import { loadWorkload } from '../workloads/index.ts';
import { scenarioId, type FailureRecord, type Results, type RunMeta, type ScenarioRecord } from '../reports/schema.ts';
import type { Deployment, PlatformDriver } from '../clusters/types.ts';
import type { LoadResult } from '../workloads/load/types.ts';
import type { Workload } from '../workloads/types.ts';
import type { Mesh } from '../mesh-impls/types.ts';

export async function platformDriver(config: BenchConfig): Promise<PlatformDriver> {
  if (config.platform === 'local') return (await import('../clusters/local/driver.ts')).localDriver;
  const { kubeDriver } = await import('../clusters/kubernetes/driver.ts');
  return kubeDriver(config.platform, { context: config.context });
}

export interface RunOutcome {
  dir: string;
  results: Results;
  /** Scenarios planned but without a record (failures are in results.failures). */
  missing: string[];
}

export async function runBench(config: BenchConfig, meta: RunMeta, driver: PlatformDriver): Promise<RunOutcome> {
  const dir = config.out;
  const workload = await loadWorkload(config.workload);
  const meshes = new Map<string, Mesh>();
  for (const name of config.meshes) meshes.set(name, await loadMesh(name));

  const previous = readRecords(dir);
  const done = new Set(previous.records.filter((r) => r.type === 'scenario' && r.maxRpsSearchStep === undefined).map((r) => (r as ScenarioRecord).id));
  const probed = new Set(previous.records.filter((r) => r.type === 'probe').map((r) => r.mesh));
  const searched = new Set(previous.records.filter((r) => r.type === 'max-rps').map((r) => r.mesh));

  const key = (mesh: string, targetRps: number, rep: number) => ({ platform: config.platform, mesh, workload: workload.name, targetRps, rep });
  const planned = config.meshes.flatMap((m) => config.rps.flatMap((rps) => Array.from({ length: config.reps }, (_, i) => scenarioId(key(m, rps, i + 1)))));
  const progress = new Progress(planned.length, (config.warmupMs + config.durationMs) / 1000 + 1);
  progress.update({ done: planned.filter((id) => done.has(id)).length });
  if (previous.dropped.length) progress.log(`resume: dropped ${previous.dropped.length} torn line(s) from results.ndjson (line ${previous.dropped.map((d) => d.line).join(', ')})`);
  if (done.size) progress.log(`resume: ${done.size} scenario(s) already recorded in ${dir}; skipping them`);

  writeRunFile(dir, meta);
  const store = new ResultsStore(dir);
  const unregisterStore = onCleanup('results store', () => store.close());
  const fail = (f: Omit<FailureRecord, 'type' | 'platform' | 'workload' | 'at'>) => {
    store.append({ type: 'failure', platform: config.platform, workload: workload.name, at: new Date().toISOString(), ...f });
    progress.log(`FAILED ${f.stage} ${f.mesh}${f.targetRps ? ` @${f.targetRps} req/s` : ''}: ${f.message.split('\n')[0]}`);
  };

  try {
    for (let rep = 1; rep <= config.reps; rep++) {
      const order = meshOrder(config.meshes, config.seed, rep);
      progress.log(`repetition ${rep}/${config.reps}: mesh order ${order.join(' → ')} (seed ${config.seed})`);
      for (const [position, meshName] of order.entries()) {
        const mesh = meshes.get(meshName)!;
        const levels = config.rps.filter((rps) => !done.has(scenarioId(key(meshName, rps, rep))));
        const wantProbes = config.probes && rep === 1 && !probed.has(meshName);
        const wantSearch = config.findMaxRps && rep === 1 && !searched.has(meshName);
        if (levels.length === 0 && !wantProbes && !wantSearch) continue;

        progress.update({ step: `deploying ${workload.name}`, mesh: meshName, rps: undefined, rep, reps: config.reps });
        let deployment: Deployment;
        try {
          deployment = await driver.deploy(workload, mesh, { runDir: dir, rep, log: (l) => progress.log(l) });
        } catch (err) {
          fail({ mesh: meshName, stage: 'deploy', rep, message: (err as Error).message, logExcerpt: (err as { logExcerpt?: string }).logExcerpt ?? '' });
          continue;
        }
        const unregister = onCleanup(`teardown ${meshName}`, () => deployment.teardown());
        try {
          store.append({
            type: 'install',
            platform: config.platform,
            mesh: meshName,
            workload: workload.name,
            rep,
            ...deployment.install,
            meshedPods: deployment.verification.pods.filter((p) => p.meshed).length,
            totalPods: deployment.verification.pods.length,
          });
          progress.log(`${meshName}: ready in ${(deployment.install.timeToReadyMs / 1000).toFixed(1)} s, ${deployment.verification.pods.filter((p) => p.meshed).length}/${deployment.verification.pods.length} pods meshed`);
          for (const rps of levels) {
            progress.update({ step: 'load', rps });
            try {
              const record = await measure(config, deployment, workload, { ...key(meshName, rps, rep), order: position }, progress);
              store.append(record);
              done.add(record.id);
              progress.update({ done: planned.filter((id) => done.has(id)).length });
              progress.log(summaryLine(record));
            } catch (err) {
              fail({ mesh: meshName, stage: 'load', rep, targetRps: rps, message: (err as Error).message, logExcerpt: await deployment.logExcerpt() });
            }
          }
          if (wantSearch) await searchMaxRps(config, deployment, workload, meshName, store, progress, fail);
          if (wantProbes) await probe(config, deployment, workload, mesh, store, progress, fail);
        } finally {
          progress.update({ step: `tearing down ${meshName}` });
          unregister();
          await deployment.teardown();
        }
      }
    }
  } finally {
    unregisterStore();
    store.close();
    progress.finish();
  }

  const results = mergeResults({ ...meta, endedAt: new Date().toISOString() }, readRecords(dir).records);
  writeResults(dir, results);
  const recorded = new Set(results.scenarios.map((s) => s.id));
  return { dir, results, missing: planned.filter((id) => !recorded.has(id)) };
}

async function measure(
  config: BenchConfig,
  deployment: Deployment,
  workload: Workload,
  k: { platform: BenchConfig['platform']; mesh: string; workload: string; targetRps: number; rep: number; order: number },
  progress: Progress,
  searchStep?: number,
): Promise<ScenarioRecord> {
  const startedAt = new Date().toISOString();
  const resources = deployment.startResources();
  let result: LoadResult;
  try {
    result = await deployment.load({
      journey: workload.journey,
      rps: k.targetRps,
      durationMs: config.durationMs,
      warmupMs: config.warmupMs,
      connections: config.connections,
      seed: config.seed + k.rep,
      onProgress: progress.onLoad,
    });
  } catch (err) {
    await resources.stop(0, 0);
    throw err;
  }
  const usage = await resources.stop(result.measureStartedAt, result.measureEndedAt);
  return {
    type: 'scenario',
    id: scenarioId(k),
    ...k,
    startedAt,
    endedAt: new Date().toISOString(),
    warmupS: config.warmupMs / 1000,
    durationS: result.durationS,
    achievedRps: result.achievedRps,
    engine: result.engine,
    total: result.total,
    steps: result.steps,
    resources: usage,
    ...(searchStep === undefined ? {} : { maxRpsSearchStep: searchStep }),
  };
}

function summaryLine(r: ScenarioRecord): string {
  return `${r.mesh} @${r.targetRps} req/s rep ${r.rep}: achieved ${r.achievedRps.toFixed(1)}, p50 ${r.total.latencyMs.p50.toFixed(2)} ms, p99 ${r.total.latencyMs.p99.toFixed(2)} ms, errors ${errorCount(r)}`;
}

export function errorCount(r: Pick<ScenarioRecord, 'total'>): number {
  const e = r.total.errors;
  return e.connect + e.timeout + e.http4xx + e.http5xx + e.other + Object.values(e.grpc).reduce((a, b) => a + b, 0);
}

async function searchMaxRps(
  config: BenchConfig,
  deployment: Deployment,
  workload: Workload,
  meshName: string,
  store: ResultsStore,
  progress: Progress,
  fail: (f: Omit<FailureRecord, 'type' | 'platform' | 'workload' | 'at'>) => void,
): Promise<void> {
  try {
    const { findMaxRps } = await import('../workloads/load/max-rps.ts');
    let step = 0;
    const record = await findMaxRps({
      slo: config.slo,
      startRps: config.rps[0],
      measure: async (rps: number) => {
        progress.update({ step: `max-rps search step ${step + 1}`, rps });
        const scenario = await measure(config, deployment, workload, { platform: config.platform, mesh: meshName, workload: workload.name, targetRps: rps, rep: 1, order: 0 }, progress, step++);
        store.append(scenario);
        return scenario;
      },
    });
    store.append({ type: 'max-rps', platform: config.platform, mesh: meshName, workload: workload.name, ...record });
    progress.log(`${meshName}: max rate under "${config.slo}": ${record.maxRps ?? 'none'} req/s after ${record.steps.length} steps`);
  } catch (err) {
    fail({ mesh: meshName, stage: 'max-rps', message: (err as Error).message, logExcerpt: await deployment.logExcerpt() });
  }
}

async function probe(
  config: BenchConfig,
  deployment: Deployment,
  workload: Workload,
  mesh: Mesh,
  store: ResultsStore,
  progress: Progress,
  fail: (f: Omit<FailureRecord, 'type' | 'platform' | 'workload' | 'at'>) => void,
): Promise<void> {
  progress.update({ step: 'security probes', rps: undefined });
  try {
    const { runProbes } = await import('../probes/index.ts');
    const records = await runProbes({ deployment, workload, mesh, platform: config.platform }, { long: config.longProbes });
    for (const r of records) store.append(r);
    progress.log(`${mesh.name}: probes ${records.map((r) => `${r.probe}=${r.outcome}`).join(' ')}`);
  } catch (err) {
    fail({ mesh: mesh.name, stage: 'probe', message: (err as Error).message, logExcerpt: await deployment.logExcerpt() });
  }
}

export async function newMeta(config: BenchConfig, driver: PlatformDriver, argv: string[], runId: string): Promise<RunMeta> {
  const meshVersions: Record<string, string> = {};
  for (const name of config.meshes) {
    const v = await (await loadMesh(name)).versions(config.platform);
    meshVersions[name] = Object.entries(v)
      .map(([k, val]) => (k === name ? val : `${k} ${val}`))
      .join(', ');
  }
  return {
    runId,
    harnessVersion: harnessVersion(),
    gitCommit: gitCommit(),
    startedAt: new Date().toISOString(),
    endedAt: null,
    seed: config.seed,
    commandLine: ['npm run bench --', ...argv].join(' '),
    config: { ...config },
    host: hostInfo(),
    nodeVersion: nodeVersions.node,
    meshVersions,
    toolVersions: await driver.toolVersions(),
  };
}
