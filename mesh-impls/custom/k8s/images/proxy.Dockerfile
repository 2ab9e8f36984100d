# syntax=docker/dockerfile:1
# The custom mesh's data-plane image: the proxy (native sidecar) and the init container that installs the iptables
# interception rules. Build from the repository root:
#   docker build -f mesh-impls/custom/k8s/images/proxy.Dockerfile -t meshbench/custom-proxy:0.1.0 .
#
# Base image: node:20-alpine pinned by digest (Node 20.20.2 on Alpine 3.23). The digest is the one BuildKit resolved
# for `node:20-alpine` in several public build logs, and the one pinned as node:20.20.2-alpine3.23 by independent
# public Dockerfiles; it was not pulled from this machine (no registry access). To move to a newer build, run
# `docker buildx imagetools inspect node:20-alpine` and replace the digest in both Dockerfiles.
# Alpine >= 3.19's iptables uses the nf_tables backend; mesh-init takes MESH_IPTABLES to pick another binary.
ARG NODE_IMAGE=node:20-alpine@sha256:fb4cd12c85ee03686f6af5362a0b0d56d50c58a04632e6c0fb8363f609372293

FROM ${NODE_IMAGE} AS build
# node-gyp compiles the SO_ORIGINAL_DST addon against this image's Node headers (musl, same ABI as the runtime);
# linux-headers provides <linux/netfilter_ipv4.h> (SO_ORIGINAL_DST), which musl's libc headers do not.
RUN apk add --no-cache python3 make g++ linux-headers
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN cd mesh-impls/custom/addon \
 && node /usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js rebuild --nodedir=/usr/local \
 && cd /src && node mesh-impls/custom/k8s/images/bundle.mjs /out

FROM ${NODE_IMAGE}
# iptables for mesh-init; npm, npx, corepack and yarn are not needed at run time.
RUN apk add --no-cache iptables \
 && rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg
COPY --from=build /out/proxy.mjs /out/mesh-init.mjs /out/original_dst.node /app/
# The proxy's uid: the outbound iptables rule exempts exactly this owner (mesh-impls/custom/k8s/constants.ts PROXY_UID).
# mesh-init overrides it with runAsUser 0 and only NET_ADMIN/NET_RAW; the pod spec also sets readOnlyRootFilesystem.
USER 2102:2102
ENTRYPOINT ["node", "/app/proxy.mjs"]
