// The probes on Kubernetes: each runs as short-lived pods (one image, pinned by digest) whose logs are the evidence.
// probePodSpecs() renders the pods and their command plans; judgeKubeProbe() turns the pods' logs into a ProbeResult
// with the same rules as the local probes (it reuses their parsers: ServerHello, certificate chain, admin contents).
// The cluster drivers run the specs with Deployment.runPod (clusters/kubernetes/probe-pod.ts renders the Pod).
import { createHash } from 'node:crypto';
import type { KubeObject } from '../mesh-impls/types.ts';
import type { MeshProbeFacts, ProbeResult, ProbeWorkload } from './types.ts';
import { OFFERS, parseServerHello } from './tls-strength.ts';
import { describeCert, splitPem, verifyChain } from './certs.ts';
import { BACKDATE_ALLOWANCE_S, identityHolds } from './workload-identity.ts';
import { WELL_KNOWN_ADMIN_PORTS, whatItReveals } from './admin-exposure.ts';
import { SENSITIVE_METHOD } from './local/targets.ts';

/**
 * nicolaka/netshoot carries curl (HTTP/2), openssl, tcpdump and tshark in one image. Pinned by digest: the digest of
 * the v0.11 tag as a cluster reported it (Image ID of a running v0.11 pod). Re-check with `crane digest
 * nicolaka/netshoot:v0.11` when moving the pin.
 */
export const PROBE_IMAGE = 'docker.io/nicolaka/netshoot:v0.11@sha256:a7c92e1a2fb9287576a16e107166fee7f9925e15d2c1a683dbb1f4370ba9bfe8';

/** Structurally a clusters/kubernetes ProbePodSpec (minus namespace and labels, which the driver adds), plus what capture needs. */
export interface KubeProbePod {
  name: string;
  image: string;
  command: string[];
  serviceAccount?: string;
  meshed: boolean;
  timeoutS: number;
  /** Packet capture: root with NET_RAW/NET_ADMIN on the host network of the target's node. */
  capture?: { nodeOf: string };
}

export interface KubeProbePlan {
  probe: string;
  /** The service the probe aims at. */
  target: string;
  /** Policy profile the driver puts in force first. */
  profile: 'default' | 'strict' | 'least-privilege';
  /** Pods to run together; each one's logs feed judgeKubeProbe. */
  pods: KubeProbePod[];
  /** What the driver does, in order, in words a reader can replay by hand. */
  plan: string[];
}

export interface KubeProbeOptions {
  workload: ProbeWorkload;
  mesh: string;
  /** Stable per run, to name the pods. */
  runId: string;
  /** Identity format the mesh uses, for the impersonating foreign certificate. */
  expectedIdentity?: (service: ProbeWorkload['services'][number]) => string;
  /** Ports where each proxy's admin endpoints listen (default: the well-known ones). */
  adminPorts?: number[];
  image?: string;
}

const MARKER_PREFIX = 'MESHBENCH-MARKER-';

/** A gRPC request frame (5-byte header + message) as a printf format, so a shell can build it without tools. */
function grpcFrame(message: string): string {
  const len = Buffer.byteLength(message);
  const header = [0, (len >>> 24) & 255, (len >>> 16) & 255, (len >>> 8) & 255, len & 255].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
  return `${header}${message}`;
}

/** One application call with curl (HTTP/1.1, or gRPC over h2c), printing `RESULT <label> http=… grpc=… exit=…`. */
function curlCall(label: string, url: string, protocol: string, method: string | undefined, body = ''): string {
  if (protocol === 'grpc') {
    const path = method ?? '/grpc.health.v1.Health/Check';
    return (
      `printf '${grpcFrame(body)}' > req; ` +
      `out=$(curl -s -m 5 --http2-prior-knowledge -o /dev/null -D - -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @req ${url}${path}); code=$?; ` +
      `echo "RESULT ${label} http=$(echo "$out" | awk '/^HTTP/{print $2}' | tail -1) grpc=$(echo "$out" | tr -d '\\r' | awk -F': ' 'tolower($1)=="grpc-status"{print $2}' | tail -1) exit=$code"`
    );
  }
  if (protocol === 'http') return `code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' ${body ? `--data '${body}' ` : ''}${url}${method ?? '/'}); echo "RESULT ${label} http=$code exit=$?"`;
  return `out=$(printf 'PING\\r\\n' | timeout 5 nc -w 3 ${url.replace(/^tcp:\/\//, '').replace(':', ' ')} | head -c 20); echo "RESULT ${label} tcp=$(echo $out | tr -dc 'A-Z+') exit=$?"`;
}

const podName = (runId: string, probe: string, part: string) =>
  `mb-${probe.slice(0, 20)}-${part}-${createHash('sha256').update(runId).digest('hex').slice(0, 6)}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63);

// Each script works in a private directory (pods share nothing, but the local rehearsal of these plans shares /tmp).
const sh = (script: string) => ['/bin/sh', '-c', `cd "$(mktemp -d)" && ${script}`];

/** Renders every probe's pods and command plan for a Kubernetes run. */
export function probePodSpecs(o: KubeProbeOptions): KubeProbePlan[] {
  const image = o.image ?? PROBE_IMAGE;
  const w = o.workload;
  const svc = (name: string) => w.services.find((s) => s.name === name)!;
  const edge = w.callGraph.find((e) => e.methods?.includes(SENSITIVE_METHOD)) ?? w.callGraph.find((e) => e.to !== w.entry.service) ?? w.callGraph[0];
  if (!edge) throw new Error(`Workload ${w.name} has no call graph: the Kubernetes probes need at least one pod-to-pod call.`);
  const target = svc(edge.to);
  const port = target.ports.find((p) => p.port === edge.port) ?? target.ports[0];
  const targetUrl = (p = port) => (p.protocol === 'tcp' ? `tcp://${target.name}:${p.port}` : `http://${target.name}:${p.port}`);
  const method = edge.methods?.[0];
  const marker = `${MARKER_PREFIX}${createHash('sha256').update(`${o.runId}/marker`).digest('hex').slice(0, 24)}`;
  const allowedCallers = new Set(w.callGraph.filter((e) => e.to === edge.to).map((e) => e.from));
  const outsider = w.services.find((s) => s.name === w.entry.service && !allowedCallers.has(s.name)) ?? w.services.find((s) => !allowedCallers.has(s.name) && s.name !== target.name);
  const caller = svc(edge.from);
  const claimed = o.expectedIdentity?.(caller) ?? `spiffe://cluster.local/ns/default/sa/${caller.serviceAccount}`;
  const pod = (probe: string, part: string, p: Omit<KubeProbePod, 'name' | 'image'>): KubeProbePod => ({ name: podName(o.runId, probe, part), image, ...p });
  const sClient = (args: string) => `timeout 6 openssl s_client -connect ${target.name}:${port.port} ${args} </dev/null 2>&1`;

  const plans: Omit<KubeProbePlan, 'target'>[] = [
    {
      probe: 'mtls-on-the-wire',
      profile: 'default',
      pods: [
        pod('mtls-on-the-wire', 'capture', {
          meshed: false,
          timeoutS: 45,
          capture: { nodeOf: target.name },
          // No BPF filter on `any` (some kernels deliver nothing to a filtered cooked socket): capture all, filter when reading.
          // TLS is decoded on every server-side port seen, since the wire port depends on the mesh (app port, 4143, 20000…).
          command: sh(
            `IP=$(getent hosts ${target.name} | awk '{print $1}'); timeout 25 tcpdump -Z root -i any -U -s 0 -c 200000 -w all.pcap 2>/dev/null; ` +
              `tshark -r all.pcap -Y "ip.addr==$IP" -w c.pcap 2>/dev/null; ` +
              `D=$(tshark -r c.pcap -T fields -e tcp.srcport -e tcp.dstport 2>/dev/null | tr '\\t' '\\n' | sort -un | awk '$1>0 && $1<32768{printf "-d tcp.port==%s,tls ", $1}'); ` +
              `echo "RESULT capture packets=$(tshark -r c.pcap 2>/dev/null | wc -l) marker=$(grep -c -a ${marker} c.pcap) ` +
              `serverhellos=$(tshark -r c.pcap $D -Y 'tls.handshake.type==2' 2>/dev/null | wc -l) ` +
              `appdata=$(tshark -r c.pcap $D -Y 'tls.app_data' 2>/dev/null | wc -l) ` +
              `version=$(tshark -r c.pcap $D -Y 'tls.handshake.type==2' -T fields -e tls.handshake.extensions.supported_version 2>/dev/null | head -1) ` +
              `cipher=$(tshark -r c.pcap $D -Y 'tls.handshake.type==2' -T fields -e tls.handshake.ciphersuite 2>/dev/null | head -1)"`,
          ),
        }),
        pod('mtls-on-the-wire', 'client', {
          meshed: true,
          serviceAccount: caller.serviceAccount,
          timeoutS: 30,
          // Repeated, so a capture that started late (a slow node, an image pull) still sees several marked requests.
          command: sh(`sleep 3; for i in 1 2 3 4 5 6 7 8; do ${curlCall('marked', targetUrl(), port.protocol, method, marker)}; sleep 2; done`),
        }),
      ],
      plan: [
        `schedule the capture pod on the node of ${target.name} (hostNetwork, NET_RAW+NET_ADMIN) and start it`,
        `start a meshed client as ServiceAccount ${caller.serviceAccount}; from 3 s on it sends ${method ?? 'a request'} to ${target.name}:${port.port} carrying ${marker}, 8 times, 2 s apart`,
        'pass when the capture never contains the marker and shows TLS (ServerHello or application data)',
      ],
    },
    ...(['default', 'strict'] as const).map((profile) => ({
      probe: 'plaintext-rejected',
      profile,
      pods: [pod('plaintext-rejected', profile, { meshed: false, timeoutS: 30, command: sh(curlCall('plaintext', targetUrl(), port.protocol, undefined)) })],
      plan: [`put the mesh's ${profile} policy in force`, `from an unmeshed pod, call ${target.name}:${port.port} in plaintext`, 'pass when no application answer comes back'],
    })),
    {
      probe: 'authz-least-privilege',
      profile: 'least-privilege',
      pods: [
        ...(outsider
          ? [pod('authz-least-privilege', 'outsider', { meshed: true, serviceAccount: outsider.serviceAccount, timeoutS: 30, command: sh(curlCall('outsider', targetUrl(), port.protocol, method)) })]
          : []),
        ...[...new Set(w.callGraph.map((e) => e.from))].map((from) =>
          pod('authz-least-privilege', `as-${from}`, {
            meshed: true,
            serviceAccount: svc(from).serviceAccount,
            timeoutS: 45,
            command: sh(
              w.callGraph
                .filter((e) => e.from === from)
                .flatMap((e) => (e.methods?.length ? e.methods : [undefined]).map((m) => ({ e, m })))
                .map(({ e, m }) => {
                  const p = svc(e.to).ports.find((x) => x.port === e.port) ?? svc(e.to).ports[0];
                  return curlCall(`edge:${e.from}>${e.to}:${e.port}${m ?? ''}`, p.protocol === 'tcp' ? `tcp://${e.to}:${e.port}` : `http://${e.to}:${e.port}`, p.protocol, m);
                })
                .join('; '),
            ),
          }),
        ),
      ],
      plan: [
        'apply leastPrivilegePolicy(workload) through the mesh (deny by default, allow the call graph)',
        `a meshed pod with ServiceAccount ${outsider?.serviceAccount ?? '(none outside the graph)'} calls ${target.name}:${port.port}${method ?? ''}: must be denied`,
        'one meshed pod per caller ServiceAccount calls each of its legitimate edges: none may be denied',
        'the load generator runs the journey once through the ingress (a full checkout)',
      ],
    },
    {
      probe: 'workload-identity',
      profile: 'default',
      pods: [pod('workload-identity', 'read', { meshed: false, timeoutS: 30, command: sh(`${sClient('-showcerts')}; echo "RESULT read exit=$?"`) })],
      plan: [`read the certificate chain ${target.name}:${port.port} presents (openssl s_client -showcerts)`, 'check its identity, its chain to the mesh root, its lifetime'],
    },
    {
      probe: 'tls-strength',
      profile: 'default',
      pods: [
        pod('tls-strength', 'offers', {
          meshed: false,
          timeoutS: 45,
          command: sh([...OFFERS, { name: 'default', args: [] }].map((offer) => `echo "=== OFFER ${offer.name}"; ${sClient(`-msg ${offer.args.map((a) => `'${a}'`).join(' ')}`)}`).join('; ')),
        }),
      ],
      plan: ['offer TLS 1.0, TLS 1.1 and weak TLS 1.2 suites, then a default handshake, to the target mesh port', 'pass when every weak offer gets no ServerHello and the default negotiates TLS ≥ 1.2 with AEAD'],
    },
    {
      probe: 'foreign-ca-rejected',
      profile: 'default',
      pods: [
        pod('foreign-ca-rejected', 'client', {
          meshed: false,
          timeoutS: 30,
          command: sh(
            `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj '/CN=meshbench foreign CA' -keyout ca.key -out ca.pem 2>/dev/null && ` +
              `openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=impostor' -keyout leaf.key -out leaf.csr 2>/dev/null && ` +
              `printf 'subjectAltName=${claimed.startsWith('spiffe://') ? 'URI' : 'DNS'}:${claimed}\\nextendedKeyUsage=clientAuth,serverAuth\\n' > ext && ` +
              `openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile ext -out leaf.pem 2>/dev/null; ` +
              `out=$(curl -sSk -m 5 --http2 --cert leaf.pem --key leaf.key -o /dev/null -D - -H 'content-type: application/grpc' --data-binary '' https://${target.name}:${port.port}${method ?? '/'} 2>&1); code=$?; ` +
              // A plaintext port answers a ClientHello with garbage: that is no TLS at all, not a rejection.
              `notls=$(echo "$out" | grep -ci 'wrong version number\\|packet length too long\\|record layer failure'); ` +
              `echo "RESULT foreign http=$(echo "$out" | awk '/^HTTP/{print $2}' | tail -1) grpc=$(echo "$out" | tr -d '\\r' | awk -F': ' 'tolower($1)=="grpc-status"{print $2}' | tail -1) exit=$code notls=$notls"`,
          ),
        }),
      ],
      plan: [`mint a foreign CA and a client certificate claiming ${claimed}`, `call ${target.name}:${port.port} over TLS with it`, 'pass when the handshake fails or no application answer comes back'],
    },
    {
      probe: 'admin-exposure',
      profile: 'default',
      pods: [
        pod('admin-exposure', 'scan', {
          meshed: false,
          timeoutS: 45,
          command: sh(
            `IP=$(getent hosts ${target.name} | awk '{print $1}'); for p in ${(o.adminPorts ?? WELL_KNOWN_ADMIN_PORTS).join(' ')}; do ` +
              `body=$(curl -s -m 2 -w '\\nHTTPCODE=%{http_code}' http://$IP:$p/metrics); code=$(echo "$body" | sed -n 's/^HTTPCODE=//p'); ` +
              `echo "RESULT admin:$p http=$code bytes=$(echo "$body" | wc -c)"; [ "$code" != "000" ] && echo "$body" | head -300 | sed "s/^/BODY:$p /"; done; true`,
          ),
        }),
      ],
      plan: ['from an unmeshed pod, GET /metrics on every admin port of the target pod address', 'pass when none answers; otherwise record what the answers reveal'],
    },
  ];
  return plans.map((p) => ({ probe: p.probe, target: target.name, profile: p.profile, pods: p.pods, plan: p.plan }));
}

/** Parses `RESULT label k=v …` lines. */
export function resultLines(logs: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const line of logs.split('\n')) {
    const m = /^RESULT (\S+)(.*)$/.exec(line.trim());
    if (!m) continue;
    out.set(m[1], Object.fromEntries([...m[2].matchAll(/(\w+)=(\S*)/g)].map((x) => [x[1], x[2]])));
  }
  return out;
}

/** accepted / denied / refused from a RESULT line, by the same rules as the local judge. */
export function kubeVerdict(r: Record<string, string> | undefined): 'accepted' | 'denied' | 'refused' {
  if (!r) return 'refused';
  if (r.grpc === '7' || r.grpc === '16' || r.http === '403') return 'denied';
  if (r.grpc === '14') return 'refused';
  if (r.tcp) return r.tcp.includes('PONG') ? 'accepted' : 'refused';
  if (r.grpc || (r.http && r.http !== '000' && r.http !== '')) return 'accepted';
  return 'refused';
}

/** Turns the logs of a probe's pods (pod name → logs) into a ProbeResult. */
export async function judgeKubeProbe(plan: KubeProbePlan, logs: Record<string, string>, facts: MeshProbeFacts = {}, target?: ProbeWorkload['services'][number]): Promise<ProbeResult> {
  const all = plan.pods.map((p) => logs[p.name] ?? '').join('\n');
  const results = resultLines(all);
  const evidence: Record<string, unknown> = { pods: plan.pods.map((p) => p.name), results: Object.fromEntries(results) };
  switch (plan.probe) {
    case 'mtls-on-the-wire': {
      const c = results.get('capture');
      if (!c || Number(c.packets) === 0 || kubeVerdict(results.get('marked')) === 'refused') return { outcome: 'error', summary: 'The capture saw no traffic for the marked request.', evidence };
      if (Number(c.marker) > 0) return { outcome: 'fail', summary: 'The marker appears in clear text on the wire.', evidence };
      if (Number(c.serverhellos) === 0 && Number(c.appdata) === 0) return { outcome: 'fail', summary: 'The traffic is not TLS.', evidence };
      return { outcome: 'pass', summary: `TLS on the wire (${c.version || 'pooled'} ${c.cipher || ''}); the marker never appeared in ${c.packets} packets.`, evidence };
    }
    case 'plaintext-rejected': {
      const v = kubeVerdict(results.get('plaintext'));
      return v === 'accepted'
        ? { outcome: 'fail', summary: `A plaintext client outside the mesh got an application answer (${plan.profile} policy).`, evidence }
        : { outcome: 'pass', summary: `Plaintext from outside the mesh was ${v} (${plan.profile} policy).`, evidence };
    }
    case 'authz-least-privilege': {
      const edges = [...results].filter(([k]) => k.startsWith('edge:'));
      const broken = edges.filter(([, r]) => kubeVerdict(r) !== 'accepted').map(([k]) => k.slice(5));
      if (kubeVerdict(results.get('outsider')) === 'accepted') return { outcome: 'fail', summary: 'An identity outside the call graph reached the sensitive method.', evidence };
      if (broken.length) return { outcome: 'fail', summary: `Least privilege broke legitimate edge(s): ${broken.join(', ')}.`, evidence };
      return { outcome: 'pass', summary: `The outsider was denied; all ${edges.length} legitimate edges worked.`, evidence };
    }
    case 'workload-identity': {
      const chain = splitPem(all);
      if (!chain.length) return { outcome: 'fail', summary: 'The target presents no certificate.', evidence };
      const leaf = describeCert(chain[0]);
      const expected = target && facts.expectedIdentity?.(target);
      const names = [...leaf.uris, ...leaf.dnsNames];
      const check = verifyChain(chain, facts.trustAnchorsPem ? splitPem(await facts.trustAnchorsPem()) : []);
      Object.assign(evidence, { names, keyType: leaf.keyType, lifetimeS: leaf.lifetimeS, serial: leaf.serial, chain: check.path, chainOk: check.ok });
      const problems = [
        ...(target && identityHolds(facts, target, names) ? [] : [`identity is not ${expected ?? '(undeclared)'}`]),
        ...(check.ok ? [] : [`chain: ${check.reason}`]),
        ...(facts.maxCertLifetimeS !== undefined && leaf.lifetimeS <= facts.maxCertLifetimeS + BACKDATE_ALLOWANCE_S ? [] : ['lifetime above the declared maximum']),
      ];
      return problems.length ? { outcome: 'fail', summary: `Workload identity does not hold: ${problems.join('; ')}.`, evidence } : { outcome: 'pass', summary: `Certificate names ${expected}, chains to the mesh root, ${leaf.keyType}, ${leaf.lifetimeS} s.`, evidence };
    }
    case 'tls-strength': {
      const sections = all.split(/^=== OFFER /m).slice(1);
      const seen: Record<string, { accepted: boolean; version?: string; cipher?: string }> = {};
      for (const s of sections) {
        const name = s.split('\n')[0].trim();
        const hello = await parseServerHello(s);
        seen[name] = { accepted: !!hello, version: hello?.version, cipher: hello?.cipher };
      }
      evidence.attempts = seen;
      const weak = Object.entries(seen).filter(([n, s]) => n !== 'default' && s.accepted);
      if (!seen.default?.accepted) return { outcome: 'fail', summary: 'The mesh port does not speak TLS.', evidence };
      if (weak.length) return { outcome: 'fail', summary: `The mesh port accepted ${weak.map(([n]) => n).join(', ')}.`, evidence };
      return { outcome: 'pass', summary: `Weak offers refused; default negotiates ${seen.default.version} ${seen.default.cipher}.`, evidence };
    }
    case 'foreign-ca-rejected': {
      if (Number(results.get('foreign')?.notls ?? 0) > 0) return { outcome: 'fail', summary: 'The target port does not speak TLS: clients are not authenticated by certificate at all.', evidence };
      const v = kubeVerdict(results.get('foreign'));
      return v === 'accepted' ? { outcome: 'fail', summary: 'A certificate from a foreign CA got an application answer.', evidence } : { outcome: 'pass', summary: `The foreign-CA client was ${v}.`, evidence };
    }
    case 'admin-exposure': {
      const open = [...results].filter(([k, r]) => k.startsWith('admin:') && r.http && r.http !== '000' && r.http !== '401' && r.http !== '403');
      const reveals = open.map(([k]) => {
        const p = k.slice(6);
        const body = all.split('\n').filter((l) => l.startsWith(`BODY:${p} `)).map((l) => l.slice(`BODY:${p} `.length)).join('\n');
        return { port: Number(p), reveals: whatItReveals(body) };
      });
      evidence.reachable = reveals;
      return reveals.length ? { outcome: 'fail', summary: `Admin endpoint(s) on port ${reveals.map((r) => r.port).join(', ')} answer other pods.`, evidence } : { outcome: 'pass', summary: 'No admin endpoint answered from another pod.', evidence };
    }
  }
  return { outcome: 'error', summary: `No Kubernetes judge for ${plan.probe}.`, evidence };
}

/** The Pod objects the plan creates, as the driver would apply them (for rendering checks and --dry-run output). */
export function renderProbePods(plan: KubeProbePlan, namespace: string, render: (spec: KubeProbePod & { namespace: string; labels: Record<string, string> }) => KubeObject): KubeObject[] {
  return plan.pods.map((p) => {
    const obj = render({ ...p, namespace, labels: { 'meshbench.io/probe': plan.probe } });
    if (!p.capture) return obj;
    // Capture needs root and raw sockets on the node's network, next to the target pod.
    const spec = obj.spec as { containers: { securityContext?: unknown }[]; hostNetwork?: boolean; affinity?: unknown };
    spec.hostNetwork = true;
    spec.affinity = {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: p.capture.nodeOf } }, topologyKey: 'kubernetes.io/hostname' }],
      },
    };
    spec.containers[0].securityContext = { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_RAW', 'NET_ADMIN'] } };
    return obj;
  });
}
