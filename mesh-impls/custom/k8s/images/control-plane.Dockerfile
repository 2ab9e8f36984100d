# syntax=docker/dockerfile:1
# The custom mesh's control-plane image: the control plane (CA, discovery, policy, operator API) and the injector
# webhook, two entry points in one image. Build from the repository root:
#   docker build -f mesh-impls/custom/k8s/images/control-plane.Dockerfile -t meshbench/custom-control-plane:0.1.0 .
#
# Base image: node:20-alpine pinned by digest (where the digest comes from: see proxy.Dockerfile; keep them equal).
ARG NODE_IMAGE=node:20-alpine@sha256:fb4cd12c85ee03686f6af5362a0b0d56d50c58a04632e6c0fb8363f609372293

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
# No addon here: the control plane does not intercept traffic.
RUN node mesh-impls/custom/k8s/images/bundle.mjs /out --no-addon

FROM ${NODE_IMAGE}
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg
COPY --from=build /out/control-plane.mjs /out/injector.mjs /app/
# Non-root ("nonroot" uid of distroless images); the Deployments also set runAsNonRoot and a read-only root filesystem.
USER 65532:65532
ENTRYPOINT ["node", "/app/control-plane.mjs"]
