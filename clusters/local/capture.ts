// Packet capture on a pod's eth0 with tcpdump, for the security probes: start, do the traffic, stop, read the pcap.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type { LocalStack } from './stack.ts';

export interface Capture {
  file: string;
  /** Stops tcpdump (flushing the file) and resolves with the pcap path. */
  stop(): Promise<string>;
}

/** Captures on `pod`'s interface the traffic to or from `peerIp` (all traffic when omitted). */
export async function startCapture(stack: LocalStack, podName: string, opts: { peerIp?: string; name?: string } = {}): Promise<Capture> {
  const pod = stack.pod(podName);
  const file = join(stack.tempDir(`capture-${opts.name ?? podName}-${Date.now()}`), 'capture.pcap');
  const filter = opts.peerIp ? ['host', opts.peerIp] : [];
  // --immediate-mode: without it, libpcap's TPACKET_V3 ring hands packets over in blocks, and a capture stopped with
  // SIGINT can report "0 packets captured" although the filter saw them. -U: write each packet at once.
  // -s 0: whole packets (the probes look for markers in payloads).
  const args = ['tcpdump', '-i', 'eth0', '--immediate-mode', '-U', '-s', '0', '-n', '-w', file, ...filter];
  const child = spawn('ip', ['netns', 'exec', pod.netns, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // tcpdump says "listening on eth0" once the socket is open; traffic before that would be missed.
  for (let i = 0; i < 50 && !stderr.includes('listening on'); i++) {
    if (child.exitCode !== null) throw new Error(`tcpdump failed in pod ${podName}: ${stderr.trim()}`);
    await sleep(100);
  }
  return {
    file,
    async stop() {
      await sleep(200); // let the last packets of the traffic arrive
      child.kill('SIGINT');
      await exited;
      return file;
    },
  };
}
