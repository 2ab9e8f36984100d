// Probe 1: is traffic between two meshed pods encrypted on the wire? A request carrying a random marker goes from one
// pod to another (the app's own plaintext call, which the mesh must encrypt), while tcpdump captures on the receiving
// pod's interface. Pass: the marker never appears in the capture's bytes and the traffic is TLS.
import { randomBytes } from 'node:crypto';
import { startCapture } from '../clusters/local/capture.ts';
import type { LocalProbeContext, Probe } from './types.ts';
import { inPod } from './local/pods.ts';
import { analyzePcap } from './local/pcap.ts';
import { describe, portOf, requestFor, sensitiveEdge, service } from './local/targets.ts';

export const mtlsOnTheWire: Probe<LocalProbeContext> = {
  id: 'mtls-on-the-wire',
  description: 'A request between two meshed pods carries a marker; the capture must show TLS and never the marker.',
  appliesTo: () => true,
  async run(ctx) {
    const edge = sensitiveEdge(ctx) ?? ctx.workload.callGraph[0];
    if (!edge) return { outcome: 'not-applicable', summary: `Workload ${ctx.workload.name} makes no pod-to-pod calls.`, evidence: {} };
    const to = service(ctx, edge.to);
    const port = portOf(to, edge.port);
    const marker = `MESHBENCH-MARKER-${randomBytes(12).toString('hex')}`;
    const capture = await startCapture(ctx.stack, to.name, { peerIp: ctx.stack.pod(edge.from).ip, name: 'mtls-wire' });
    let obs;
    try {
      [obs] = await inPod(ctx, edge.from, [{ op: 'app', host: to.name, port: port.port, ...requestFor(port, edge.methods?.[0], marker) }], { uid: ctx.facts.clientUid });
    } finally {
      await capture.stop();
    }
    const pcap = await analyzePcap(capture.file, marker);
    const evidence = {
      from: edge.from,
      to: `${to.name}:${port.port}`,
      protocol: port.protocol,
      request: describe(obs),
      marker,
      packets: pcap.packets,
      payloadPackets: pcap.payloadPackets,
      markerInClear: pcap.markerInClear,
      tlsClientHellos: pcap.tls.clientHellos,
      tlsServerHellos: pcap.tls.serverHellos,
      tlsRecords: pcap.tls.records,
      tlsAppDataRecords: pcap.tls.appDataRecords,
      tlsVersions: pcap.tls.versions,
      tlsCiphers: pcap.tls.ciphers,
      wirePorts: pcap.ports,
    };
    if (pcap.markerInClear) {
      return { outcome: 'fail', summary: `The marker sent ${edge.from} → ${to.name} appears in clear text on the wire (${pcap.tls.records} TLS records seen).`, evidence };
    }
    if (!obs.answered || pcap.payloadPackets === 0) {
      return { outcome: 'error', summary: `The marked request ${edge.from} → ${to.name} got ${describe(obs)} over ${pcap.payloadPackets} payload packets: cannot tell whether the marker crossed.`, evidence };
    }
    // A pooled connection opened before the capture shows application-data records but no handshake: still TLS.
    if (pcap.tls.appDataRecords === 0 || (pcap.tls.serverHellos === 0 && pcap.tls.records < pcap.payloadPackets / 2)) {
      return { outcome: 'fail', summary: `Traffic ${edge.from} → ${to.name} is not TLS: no handshake and no TLS application data in ${pcap.payloadPackets} payload packets.`, evidence };
    }
    return {
      outcome: 'pass',
      summary: `Traffic ${edge.from} → ${to.name} is TLS (${pcap.tls.versions.join(', ') || 'pooled connection'}${pcap.tls.ciphers.length ? `, ${pcap.tls.ciphers.join(', ')}` : ''}); the marker never appeared in ${pcap.packets} packets.`,
      evidence,
    };
  },
};
