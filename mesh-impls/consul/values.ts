// Helm values for the Consul chart: the seed's values (facts.md §3) plus what a benchmark on kind needs.
import { stringify } from 'yaml';

export function consulValues(workloadNamespace: string): Record<string, unknown> {
  return {
    global: {
      name: 'consul',
      // TLS between Consul agents/servers and dataplanes (the mesh's own mTLS is always on).
      tls: { enabled: true, enableAutoEncrypt: true },
      // ACLs make intentions default-deny (facts.md §3); with ACLs off every service may call every other.
      acls: { manageSystemACLs: true },
      metrics: { enabled: true, enableAgentMetrics: true },
    },
    // One server: a kind node is one machine, and a benchmark needs no quorum.
    server: { replicas: 1 },
    connectInject: {
      enabled: true,
      default: true,
      // The seed allows ['default']; meshbench deploys into a namespace of its own per run.
      k8sAllowNamespaces: [workloadNamespace],
      k8sDenyNamespaces: ['kube-system'],
      transparentProxy: { defaultEnabled: true },
      metrics: { defaultEnabled: true, defaultEnableMerging: true },
    },
    ui: { enabled: false },
  };
}

export function consulValuesYaml(workloadNamespace: string): string {
  return stringify(consulValues(workloadNamespace));
}
