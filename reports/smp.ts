// smp.json: the run in the Service Mesh Performance (SMP) specification's shapes (service-mesh-performance/
// service-mesh-performance, protos/service_mesh_performance.proto): PerformanceTestResult per scenario cell, with
// EnvironmentConfig, ServiceMeshConfig and PerformanceTestConfig records that the results point to by id.
import { PERCENTILES } from './aggregate.ts';
import type { ReportModel } from './model.ts';

export const SMP_VERSION = 'v0.0.1';

export function renderSmp(m: ReportModel): object {
  const r = m.results;
  const mtls = (mesh: string, platform: string) => {
    const p = r.probes.find((x) => x.mesh === mesh && x.platform === platform && x.probe === 'mtls-on-the-wire' && x.policy === 'default');
    return p ? p.outcome === 'pass' : mesh !== 'none' ? null : false;
  };
  const runOf = (platform: string) => m.runs.find((x) => x.config.platform === platform) ?? m.runs[0];
  const platforms = [...new Set(m.cells.map((c) => c.platform))];
  const environments = platforms.map((platform) => {
    const run = runOf(platform);
    return {
      smp_version: SMP_VERSION, id: `env-${platform}`, labels: { platform, run_id: run.runId, kernel: run.host.kernel, os: run.host.os },
      kubernetes_version: typeof run.config.kubernetesVersion === 'string' ? run.config.kubernetesVersion : platform === 'local' ? 'n/a (local network namespaces)' : '',
      node: [{ type: run.host.cpuModel, cores: run.host.cores, mem_mb: Math.round(run.host.memoryBytes / 1024 ** 2) }],
    };
  });
  const meshKeys = [...new Map(m.cells.map((c) => [`${c.platform}/${c.mesh}`, c])).values()];
  const meshConfigs = meshKeys.map((c) => {
    const at = m.cells.filter((x) => x.platform === c.platform && x.mesh === c.mesh);
    const top = at[at.length - 1].resources;
    return {
      smp_version: SMP_VERSION, id: `mesh-${c.platform}-${c.mesh}`, labels: { mesh: c.mesh, platform: c.platform },
      sidecar: { count: top.proxies, cpu_mCores: Math.round(top.proxiesCpuCores * 1000), mem_mb: Math.round(top.proxiesRssPeakMb) },
      mesh_control_plane: { cpu_mCores: Math.round(top.controlPlaneCpuCores * 1000), mem_mb: Math.round(top.controlPlaneRssPeakMb) },
      mtls_enabled: mtls(c.mesh, c.platform),
      mesh_build: runOf(c.platform).meshVersions[c.mesh] ?? '',
    };
  });
  const results = m.cells.map((c) => {
    const reps = r.scenarios.filter((s) => s.platform === c.platform && s.mesh === c.mesh && s.workload === c.workload && s.targetRps === c.targetRps && s.maxRpsSearchStep === undefined);
    const start = reps.map((s) => s.startedAt).sort()[0];
    const end = reps.map((s) => s.endedAt).sort().at(-1);
    return {
      smp_version: SMP_VERSION, id: `result-${c.key}`,
      labels: {
        mesh: c.mesh, platform: c.platform, workload: c.workload, reps: String(c.reps), saturated: String(c.saturated), noisy: String(c.noisy),
        p999_ms: String(c.latency.p999), error_rate: String(c.errorRate),
      },
      start_time: start, end_time: end,
      latencies_ms: { min: c.latency.min, average: c.latency.mean, p50: c.latency.p50, p90: c.latency.p90, p99: c.latency.p99, max: c.latency.max },
      actual_QPS: c.achievedRps.median,
      testId: `test-${c.platform}-${c.workload}-${c.targetRps}`, meshConfigId: `mesh-${c.platform}-${c.mesh}`, envId: `env-${c.platform}`,
      // Per-component CPU and memory (SMP asks for them per component): each process of the median repetition.
      resources: (reps[reps.length >> 1] ?? reps[0]).resources.map((p) => ({ component: `${p.pod}/${p.process}`, role: p.role, cpu_mCores: Math.round(p.cpuMeanCores * 1000), mem_mb: Math.round(p.rssPeakBytes / 1024 ** 2) })),
    };
  });
  const tests = [...new Map(m.cells.map((c) => [`${c.platform}/${c.workload}/${c.targetRps}`, c])).values()].map((c) => {
    const s = r.scenarios.find((x) => x.platform === c.platform && x.workload === c.workload && x.targetRps === c.targetRps)!;
    return {
      smp_version: SMP_VERSION, id: `test-${c.platform}-${c.workload}-${c.targetRps}`, name: `${c.workload} at ${c.targetRps} req/s`, labels: { workload: c.workload },
      clients: [{ internal: c.platform !== 'local', load_generator: s.engine, protocol: 'http', rps: c.targetRps }], duration: `${s.durationS}s`,
    };
  });
  void PERCENTILES;
  return { smp_version: SMP_VERSION, environments, mesh_configs: meshConfigs, test_configs: tests, results };
}
