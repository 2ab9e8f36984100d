// Pinned tools: verified downloads into the cache, nothing left behind on failure; the offline preflight names what
// is missing and where to get it, fails fast and creates nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ensureTool, TOOLS, cachedToolPath } from './tools.ts';
import { kubeDriver } from './driver.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const tmp = () => mkdtempSync(join(tmpdir(), 'meshbench-tools-test-'));
const offline = async (url: string): Promise<Buffer> => {
  throw new Error(`getaddrinfo ENOTFOUND ${new URL(url).host}`);
};

test('a tool without a pinned sha256 is verified against its published checksum file and cached', async () => {
  const dir = tmp();
  try {
    const binary = Buffer.from('#!/bin/sh\necho kubectl\n');
    const fetched: string[] = [];
    const fetcher = async (url: string) => {
      fetched.push(url);
      return url.endsWith('.sha256') ? Buffer.from(`${sha(binary)}\n`) : binary;
    };
    const r = await ensureTool('kubectl', { dir, fetcher, target: 'linux-amd64' });
    assert.equal(r.verified, 'published-checksum-file');
    assert.deepEqual(fetched, [TOOLS.kubectl.url('linux-amd64'), TOOLS.kubectl.checksumUrl('linux-amd64')]);
    assert.equal(readFileSync(r.path, 'utf8'), binary.toString());
    assert.equal(statSync(r.path).mode & 0o111, 0o111, 'executable');
    const again = await ensureTool('kubectl', { dir, fetcher: offline, target: 'linux-amd64' });
    assert.equal(again.downloaded, false, 'second call uses the cache, no network');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a checksum mismatch installs nothing', async () => {
  const dir = tmp();
  try {
    // helm's sha256 is pinned in code: any other bytes must be refused.
    await assert.rejects(ensureTool('helm', { dir, fetcher: async () => Buffer.from('not helm'), target: 'linux-amd64' }), /Checksum mismatch for helm v4\.2\.3.*expected sha256 e9b88b4e/s);
    const sumFile = async (url: string) => (url.endsWith('.sha256sum') ? Buffer.from('0'.repeat(64)) : Buffer.from('kind'));
    await assert.rejects(ensureTool('kind', { dir, fetcher: sumFile, target: 'linux-amd64' }), /Checksum mismatch for kind/);
    assert.deepEqual(readdirSync(dir), [], 'no partial files');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('offline: the error names the tool, the URL and where to put it', async () => {
  const dir = tmp();
  try {
    await assert.rejects(ensureTool('linkerd', { dir, fetcher: offline, target: 'linux-amd64' }), (err: Error) => {
      assert.match(err.message, /Cannot download linkerd edge-26\.8\.3 from https:\/\/github\.com\/linkerd\/linkerd2\/releases\/download\/edge-26\.8\.3\/linkerd2-cli-edge-26\.8\.3-linux-amd64: getaddrinfo ENOTFOUND/);
      assert.ok(err.message.includes(cachedToolPath('linkerd', dir)));
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const platform of ['kind', 'kubernetes'] as const) {
  test(`${platform} preflight offline fails fast, lists everything missing, creates nothing`, async () => {
    const dir = tmp();
    try {
      const started = Date.now();
      await assert.rejects(kubeDriver(platform, { toolsDir: dir, fetcher: offline }).preflight(), (err: Error) => {
        assert.match(err.message, new RegExp(`^--platform ${platform} cannot start:`));
        for (const t of platform === 'kind' ? ['kind', 'kubectl', 'helm', 'linkerd'] : ['kubectl', 'helm', 'linkerd']) {
          assert.match(err.message, new RegExp(`Cannot download ${t} `), t);
        }
        if (platform === 'kubernetes') assert.doesNotMatch(err.message, /Cannot download kind/);
        assert.match(err.message, /Nothing was created\.$/);
        return true;
      });
      assert.ok(Date.now() - started < 30_000, 'fails fast');
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
