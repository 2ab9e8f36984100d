// SO_ORIGINAL_DST through the C++ addon: where a REDIRECTed connection was headed before iptables sent it to us.
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

export type OriginalDst = (sock: Socket) => { ip: string; port: number } | undefined;

export function loadOriginalDst(addonPath: string): OriginalDst {
  const addon = createRequire(import.meta.url)(addonPath) as { originalDst(fd: number): [string, number] | null };
  return (sock) => {
    const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (fd === undefined || fd < 0) return undefined;
    const r = addon.originalDst(fd);
    return r ? { ip: r[0], port: r[1] } : undefined;
  };
}
