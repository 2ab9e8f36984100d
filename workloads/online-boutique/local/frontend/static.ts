// The frontend's static files: a stylesheet, robots.txt, and product pictures. The catalog names pictures
// /static/img/products/<name>.jpg as upstream does; we have no photographs, so each is drawn as a small SVG label
// (served with its real content type, which is what browsers go by).
const STYLES = `
*{box-sizing:border-box}body{margin:0;font-family:system-ui,sans-serif;color:#222;background:#fafafa}
header{display:flex;gap:1.5rem;align-items:center;padding:.8rem 1.5rem;background:#1f2a44;color:#fff}
header a{color:#fff;text-decoration:none}header .brand{font-weight:700;font-size:1.2rem;margin-right:auto}
main{max-width:1100px;margin:0 auto;padding:1.5rem}h1,h2{font-weight:600}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:1rem}
.card{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:.8rem}.card img{width:100%;border-radius:6px}
.card a{color:inherit;text-decoration:none}.price{font-weight:600}.ad{margin-top:2rem;padding:1rem;background:#fff6d6;border-radius:8px}
.product{display:grid;grid-template-columns:1fr 1fr;gap:2rem}.product img{width:100%;border-radius:8px}
table{width:100%;border-collapse:collapse}td,th{padding:.4rem;border-bottom:1px solid #e3e3e3;text-align:left}
form.checkout{display:grid;grid-template-columns:1fr 1fr;gap:.6rem;max-width:640px}form.checkout label{display:flex;flex-direction:column;font-size:.85rem}
input,select,button{font:inherit;padding:.35rem}button{background:#1f2a44;color:#fff;border:0;border-radius:4px;padding:.5rem 1rem;cursor:pointer}
.error{background:#fde2e2;padding:1rem;border-radius:8px}footer{text-align:center;color:#888;padding:2rem}
`;

export const ROBOTS_TXT = 'User-agent: *\nDisallow: /\n';

function pictureSvg(name: string): string {
  const label = name.replace(/-/g, ' ');
  let hue = 0;
  for (const c of name) hue = (hue * 31 + c.charCodeAt(0)) % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">
<rect width="400" height="400" fill="hsl(${hue},45%,82%)"/><circle cx="200" cy="170" r="90" fill="hsl(${hue},45%,62%)"/>
<text x="200" y="330" font-family="sans-serif" font-size="30" text-anchor="middle" fill="#333">${label.replace(/[<&>]/g, '')}</text></svg>`;
}

export function staticFile(path: string): { type: string; body: string } | null {
  if (path === '/static/styles.css') return { type: 'text/css; charset=utf-8', body: STYLES };
  const picture = /^\/static\/img\/products\/([a-z0-9-]{1,64})\.jpg$/.exec(path);
  if (picture) return { type: 'image/svg+xml', body: pictureSvg(picture[1]!) };
  return null;
}
