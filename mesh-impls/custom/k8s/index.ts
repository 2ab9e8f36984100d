// The custom mesh on Kubernetes, for the pieces outside this folder: the KubeMesh the custom Mesh object carries,
// the image build plan the kind driver runs, the CLI commands against a cluster, and the control plane's
// Kubernetes extension. See README.md here for how they plug in.
export { customKube, customKubeMesh, judgeCheck, OPERATOR_PROXY_PATH, CA_FILES, WEBHOOK_FILE } from './kube-mesh.ts';
export { imageBuildPlan, DOCKERFILES, type HostCommand } from './images.ts';
export { runKubeCommand, operatorGet, formatCheck, formatStat, formatEdges, type KubeCliOptions } from './cli.ts';
export { startKubeExtension, type KubeControlPlaneExtension } from './control-plane-ext.ts';
export { bootstrapFromEnv, type KubeProxyBootstrap } from './bootstrap.ts';
export { interceptRules } from './iptables.ts';
export * from './constants.ts';
