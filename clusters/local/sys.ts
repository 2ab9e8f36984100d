// Host commands for the local platform: root check, system packages, and a quiet zx shell whose errors name the command.
import { $ } from 'zx';
import { existsSync } from 'node:fs';

export const sh = $({ quiet: true });

export class PlatformError extends Error {}

/** The local platform creates namespaces and iptables rules: it needs root. */
export function requireRoot(what = 'The local platform'): void {
  if (process.getuid?.() !== 0) {
    throw new PlatformError(
      `${what} needs root: it creates Linux network namespaces, veth pairs and iptables rules.\n` +
        'Fix: run as root (e.g. `sudo -E npm run bench`), or use --platform kind|kubernetes.',
    );
  }
}

/** Debian packages the local platform uses, keyed by the binary that proves each is present. */
export const SYSTEM_PACKAGES: Record<string, string> = {
  '/usr/sbin/ip': 'iproute2',
  '/usr/sbin/iptables': 'iptables',
  '/usr/bin/tcpdump': 'tcpdump',
  '/usr/bin/tshark': 'tshark',
  '/usr/bin/redis-server': 'redis-server',
  '/usr/bin/openssl': 'openssl',
  '/usr/bin/setpriv': 'util-linux',
  '/usr/bin/wrk': 'wrk',
  '/usr/sbin/haproxy': 'haproxy',
};

export function missingPackages(): string[] {
  return [...new Set(Object.entries(SYSTEM_PACKAGES).filter(([bin]) => !existsSync(bin)).map(([, pkg]) => pkg))];
}

/** Installs missing system packages with apt-get when running as root; otherwise says exactly what to install. */
export async function ensureSystemPackages(log: (line: string) => void = () => {}): Promise<void> {
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new PlatformError(
      `Missing system packages: ${missing.join(', ')}.\nFix: install them (Debian/Ubuntu: \`sudo apt-get install -y ${missing.join(' ')}\`).`,
    );
  }
  log(`installing system packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await $({ quiet: true, env })`apt-get install -y -qq ${missing}`;
  } catch {
    await $({ quiet: true, env })`apt-get update -qq`;
    await $({ quiet: true, env })`apt-get install -y -qq ${missing}`;
  }
  const still = missingPackages();
  if (still.length) throw new PlatformError(`apt-get could not install: ${still.join(', ')}. Fix: install them by hand.`);
}
