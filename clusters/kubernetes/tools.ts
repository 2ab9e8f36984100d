// The command-line tools the Kubernetes platforms drive, pinned by version and (where the official release page gave
// it to us) by sha256. A missing tool is downloaded from its official release location into a cache; offline, the
// error names the tool and the URL so the user can fetch it by hand.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { KubeTool } from '../../mesh-impls/types.ts';
import { KIND_VERSION } from '../kind/kind.ts';
import { LINKERD_VERSION } from '../../mesh-impls/linkerd/index.ts';

export type Os = 'linux' | 'darwin';
export type Arch = 'amd64' | 'arm64';
type Target = `${Os}-${Arch}`;

export interface ToolPin {
  name: KubeTool;
  version: string;
  url(t: Target): string;
  /**
   * sha256 of the download per target, copied from the official release page. `undefined` where that page was not
   * available to us while writing: the download is then checked against the checksum file the project publishes next
   * to the binary (`checksumUrl`), over HTTPS from the same origin, and the run says so.
   */
  sha256: Partial<Record<Target, string>>;
  checksumUrl(t: Target): string;
  /** Path of the binary inside a .tar.gz download. */
  member?(t: Target): string;
}

export const KUBECTL_VERSION = 'v1.35.8';
export const HELM_VERSION = 'v4.2.3';

export const TOOLS: Record<KubeTool, ToolPin> = {
  kind: {
    name: 'kind',
    version: KIND_VERSION,
    url: (t) => `https://github.com/kubernetes-sigs/kind/releases/download/${KIND_VERSION}/kind-${t}`,
    sha256: {}, // Not found in the sources available while writing (kind publishes kind-<os>-<arch>.sha256sum).
    checksumUrl: (t) => `https://github.com/kubernetes-sigs/kind/releases/download/${KIND_VERSION}/kind-${t}.sha256sum`,
  },
  kubectl: {
    name: 'kubectl',
    version: KUBECTL_VERSION,
    url: (t) => `https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/${t.replace('-', '/')}/kubectl`,
    sha256: {}, // Not found in the sources available while writing (dl.k8s.io publishes kubectl.sha256).
    checksumUrl: (t) => `https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/${t.replace('-', '/')}/kubectl.sha256`,
  },
  helm: {
    name: 'helm',
    version: HELM_VERSION,
    url: (t) => `https://get.helm.sh/helm-${HELM_VERSION}-${t}.tar.gz`,
    // From the Helm v4.2.3 release page (github.com/helm/helm/releases).
    sha256: {
      'linux-amd64': 'e9b88b4ee95b18c706839c28d3a0220e5bc470e9cd9262410c90793c45ff8b7c',
      'linux-arm64': '21abd9354d39b2cd79a8d76be6912cd137a983cbf997193503fb8a6a6e2f2785',
      'darwin-amd64': 'ff3ac86755a45f3422473bc1200776aac0fe04c5766abe6ca66699f7b564b23b',
      'darwin-arm64': '048ecf5ad3160f83d918f9fe945238d2132b079640f7b106175331c25f242c64',
    },
    checksumUrl: (t) => `https://get.helm.sh/helm-${HELM_VERSION}-${t}.tar.gz.sha256sum`,
    member: (t) => `${t}/helm`,
  },
  linkerd: {
    name: 'linkerd',
    version: LINKERD_VERSION,
    url: (t) => `https://github.com/linkerd/linkerd2/releases/download/${LINKERD_VERSION}/linkerd2-cli-${LINKERD_VERSION}-${t === 'darwin-amd64' ? 'darwin' : t}`,
    sha256: {}, // Not found in the sources available while writing (each asset has a .sha256 file beside it).
    checksumUrl: (t) => `${TOOLS.linkerd.url(t)}.sha256`,
  },
};

export function currentTarget(): Target {
  const os = process.platform === 'darwin' ? 'darwin' : process.platform === 'linux' ? 'linux' : undefined;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'arm64' ? 'arm64' : undefined;
  if (!os || !arch) throw new Error(`meshbench's Kubernetes tools are pinned for linux/darwin on amd64/arm64; this is ${process.platform}/${process.arch}.`);
  return `${os}-${arch}`;
}

export function toolCacheDir(): string {
  return process.env.MESHBENCH_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'meshbench', 'tools');
}

export function cachedToolPath(tool: KubeTool, dir = toolCacheDir()): string {
  return join(dir, `${tool}-${TOOLS[tool].version}`, tool);
}

/** How to get a tool by hand, for error messages. */
export function howToGet(tool: KubeTool, t: Target = currentTarget(), dir = toolCacheDir()): string {
  const pin = TOOLS[tool];
  return `${tool} ${pin.version}: download ${pin.url(t)}${pin.member ? ` (take ${pin.member(t)} from the archive)` : ''} to ${cachedToolPath(tool, dir)} and make it executable`;
}

export type Fetcher = (url: string) => Promise<Buffer>;

const defaultFetch: Fetcher = async (url) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(120_000), redirect: 'follow' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
};

export interface EnsureResult {
  path: string;
  downloaded: boolean;
  /** How the download was verified. */
  verified?: 'pinned-sha256' | 'published-checksum-file';
}

/**
 * The cached binary of a pinned tool, downloading and verifying it when missing. Writes go to a temporary folder that
 * is renamed into place only after verification, so a failed or interrupted download leaves nothing behind.
 */
export async function ensureTool(tool: KubeTool, opts: { dir?: string; fetcher?: Fetcher; target?: Target } = {}): Promise<EnsureResult> {
  const dir = opts.dir ?? toolCacheDir();
  const target = opts.target ?? currentTarget();
  const path = cachedToolPath(tool, dir);
  if (existsSync(path)) return { path, downloaded: false };
  const pin = TOOLS[tool];
  const fetcher = opts.fetcher ?? defaultFetch;
  const url = pin.url(target);
  let body: Buffer;
  try {
    body = await fetcher(url);
  } catch (err) {
    throw new Error(`Cannot download ${tool} ${pin.version} from ${url}: ${(err as Error).message}.\nFix: connect to the network, or ${howToGet(tool, target, dir)}.`);
  }
  const actual = createHash('sha256').update(body).digest('hex');
  let expected = pin.sha256[target];
  let verified: EnsureResult['verified'] = 'pinned-sha256';
  if (!expected) {
    const sumUrl = pin.checksumUrl(target);
    try {
      expected = (await fetcher(sumUrl)).toString('utf8').trim().split(/\s+/)[0];
    } catch (err) {
      throw new Error(`Cannot download the checksum of ${tool} from ${sumUrl}: ${(err as Error).message}.\nFix: connect to the network, or ${howToGet(tool, target, dir)}.`);
    }
    verified = 'published-checksum-file';
  }
  if (actual !== expected) throw new Error(`Checksum mismatch for ${tool} ${pin.version} from ${url}: expected sha256 ${expected}, got ${actual}. Nothing was installed.`);
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, `.${tool}-`));
  try {
    if (pin.member) {
      writeFileSync(join(tmp, 'download.tar.gz'), body);
      const tar = spawnSync('tar', ['-xzf', join(tmp, 'download.tar.gz'), '-C', tmp, pin.member(target)], { encoding: 'utf8' });
      if (tar.status !== 0) throw new Error(`Cannot unpack ${url}: ${tar.stderr}`);
      renameSync(join(tmp, pin.member(target)), join(tmp, tool));
    } else {
      writeFileSync(join(tmp, tool), body);
    }
    chmodSync(join(tmp, tool), 0o755);
    const final = join(dir, `${tool}-${pin.version}`);
    mkdirSync(final, { recursive: true });
    renameSync(join(tmp, tool), path);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { path, downloaded: true, verified };
}
