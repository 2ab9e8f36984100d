// The dashboard: one static page that polls the operator API. Services with success rate, RPS and latency
// percentiles; edges with their mTLS state.
export const DASHBOARD_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>custom mesh</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin-bottom:2em}
td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}
.ok{color:#080}.bad{color:#b00}h1{font-size:20px}
</style></head><body>
<h1>custom mesh</h1><div id="check"></div>
<h2>Services</h2><table id="stat"><thead><tr><th>service</th><th>pods</th><th>success</th><th>RPS</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>denied</th><th>meshed callers</th></tr></thead><tbody></tbody></table>
<h2>Edges</h2><table id="edges"><thead><tr><th>from</th><th>to</th><th>mTLS</th><th>client identity</th><th>server identity</th><th>requests</th><th>denied</th></tr></thead><tbody></tbody></table>
<script>
const fmt = (v, d = 1) => v === null || v === undefined ? '-' : (v === Infinity ? '>10s' : Number(v).toFixed(d));
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
async function tick() {
  const [check, stat, edges] = await Promise.all(['/api/check', '/api/stat', '/api/edges'].map((u) => fetch(u).then((r) => r.json())));
  document.getElementById('check').innerHTML = '<span class="' + (check.ok ? 'ok' : 'bad') + '">' + (check.ok ? 'all proxies healthy' : 'problems: ' + esc(check.pods.filter((p) => !p.ok).map((p) => p.pod + ' (' + p.problems.join(', ') + ')').join('; '))) + '</span> · trust domain ' + esc(check.trustDomain) + ' · config v' + check.version;
  document.querySelector('#stat tbody').innerHTML = stat.map((s) => '<tr><td>' + esc(s.service) + '</td><td>' + s.pods + '</td><td>' + (s.successRate === null ? '-' : fmt(100 * s.successRate, 2) + '%') + '</td><td>' + fmt(s.rps) + '</td><td>' + fmt(s.p50Ms) + '</td><td>' + fmt(s.p95Ms) + '</td><td>' + fmt(s.p99Ms) + '</td><td>' + s.denied + '</td><td>' + fmt(s.meshedCallersPct, 0) + '%</td></tr>').join('');
  document.querySelector('#edges tbody').innerHTML = edges.map((e) => '<tr><td>' + esc(e.from) + '</td><td>' + esc(e.to) + '</td><td class="' + (e.tls ? 'ok' : 'bad') + '">' + (e.tls ? 'yes' : 'no') + '</td><td>' + esc(e.fromId || '-') + '</td><td>' + esc(e.toId || '-') + '</td><td>' + e.requests + '</td><td>' + e.denied + '</td></tr>').join('');
}
tick(); setInterval(tick, 2000);
</script></body></html>`;
