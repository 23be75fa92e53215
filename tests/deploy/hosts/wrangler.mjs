// `wrangler pages dev` (Cloudflare Pages' local runtime) serving a build
// with the _headers/_redirects/404.html of `deploy-config --target
// cloudflare`, compared with `npsbundle serve` on the same build.
// usage: node wrangler.mjs PAGES_PORT SERVE_PORT DIST ROUTE...
import fs from 'node:fs';
import path from 'node:path';

const [pagesPort, servePort, dist, ...routes] = process.argv.slice(2);
let passed = 0;
let failed = 0;
// "ok: " and "FAIL: " lines, which run.sh counts (tests/npm/lib.sh tally).
const check = (name, ok, detail = '') => {
  if (ok) { passed++; console.log(`ok: ${name}`); }
  else { failed++; console.log(`FAIL: ${name} ${detail}`); }
};
const get = async (port, target, headers = {}) => {
  const response = await fetch(`http://127.0.0.1:${port}${target}`, { headers, redirect: 'manual' });
  const body = Buffer.from(await response.arrayBuffer());  // fetch decodes br/gzip
  return { status: response.status, headers: response.headers, body };
};
const links = (r) => (r.headers.get('link') || '').split(/, (?=<)/).filter(Boolean);

const files = [];
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) { if (!entry.name.startsWith('.')) walk(full); continue; }
    const rel = path.relative(dist, full);
    // Host files, and HTML, which Pages serves at its extensionless URL (308).
    if (/^(_headers|_redirects)$|\.html$|\.(br|gz)$/.test(rel)) continue;
    files.push(rel);
  }
};
walk(dist);
check('the build has files', files.length >= 5);
for (const file of files) {
  const a = await get(pagesPort, `/${file}`);
  const b = await get(servePort, `/${file}`);
  check(`/${file}: status`, a.status === b.status, `${a.status} vs ${b.status}`);
  check(`/${file}: Cache-Control`, a.headers.get('cache-control') === b.headers.get('cache-control'),
        `${a.headers.get('cache-control')} vs ${b.headers.get('cache-control')}`);
  check(`/${file}: nosniff`, a.headers.get('x-content-type-options') === 'nosniff');
  check(`/${file}: body`, a.body.equals(b.body));
}
const html = { accept: 'text/html' };
const index = fs.readFileSync(path.join(dist, 'index.html'));
for (const target of ['/', ...routes]) {
  const a = await get(pagesPort, target, html);
  const b = await get(servePort, target, html);
  check(`${target}: the app`, a.status === 200 && a.body.equals(index), `${a.status}`);
  check(`${target}: revalidated`, a.headers.get('cache-control') === 'no-cache', a.headers.get('cache-control'));
  check(`${target}: the same hints as serve`, JSON.stringify(links(a)) === JSON.stringify(links(b)),
        `${links(a).length} vs ${links(b).length}`);
}
for (const target of ['/assets/x.js', '/assets/gone-Abc12345.css', '/_headers', '/_redirects']) {
  const a = await get(pagesPort, target, html);
  check(`${target}: 404, not the app`, a.status === 404 && !a.body.equals(index), `${a.status}`);
  check(`${target}: not cached for a year`, !(a.headers.get('cache-control') || '').includes('immutable'));
}
process.exit(failed ? 1 : 0);
