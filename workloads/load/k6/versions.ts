// The one place that pins k6: its version, the xk6 builder image, any extensions, and the images built from them.
// k6/Dockerfile is rendered from these values (renderDockerfile) and a test keeps the committed file in step.
// Not verified by running here: these machines cannot pull images or build k6 (no Docker daemon, no Go toolchain).

/** Core k6 release the scripts are written against (k6 JavaScript API: k6/http, k6/execution, k6/metrics). */
export const K6_VERSION = 'v1.4.2';
/** xk6, the k6 builder, as its official image. */
export const XK6_IMAGE = 'grafana/xk6:1.4.11';
/** Extensions compiled in with `xk6 build --with`. None needed: HTTP, cookies, gRPC and scenarios are core k6. */
export const K6_EXTENSIONS: readonly string[] = [];
/** The stock image used when no extension is pinned (local Docker runs via testcontainers). */
export const K6_STOCK_IMAGE = `grafana/k6:${K6_VERSION.replace(/^v/, '')}`;
/** Tag for the image built from k6/Dockerfile (e.g. pushed to a cluster registry for the in-cluster Job). */
export const K6_CUSTOM_IMAGE = `meshbench/k6:${K6_VERSION.replace(/^v/, '')}${K6_EXTENSIONS.length ? '-x' : ''}`;
/** What runners use: the stock image while there are no extensions, else the custom build. */
export const K6_IMAGE = K6_EXTENSIONS.length ? K6_CUSTOM_IMAGE : K6_STOCK_IMAGE;

export function renderDockerfile(): string {
  const withs = K6_EXTENSIONS.map((e) => ` \\\n      --with ${e}`).join('');
  return `# Generated from workloads/load/k6/versions.ts (renderDockerfile) — edit the pins there, then re-render.
# k6 ${K6_VERSION} built with xk6${K6_EXTENSIONS.length ? ` and ${K6_EXTENSIONS.length} extension(s)` : ' (no extensions pinned)'}.
FROM ${XK6_IMAGE} AS build
RUN xk6 build ${K6_VERSION} --output /tmp/k6${withs}

FROM ${K6_STOCK_IMAGE}
COPY --from=build /tmp/k6 /usr/bin/k6
ENTRYPOINT ["k6"]
`;
}
