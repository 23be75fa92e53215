// Loads a build from `npsbundle serve` in Debian's headless Chromium (never a
// downloaded browser): opens the app, clicks through to a lazy page, reloads
// a deep link, and checks that no console error appeared, that every script
// and stylesheet arrived brotli-encoded, and that a missing chunk is a 404.
//
// usage: node serve.mjs NPSBUNDLE_BINARY BUILD_DIR
// Exit codes: 0 pass, 1 failure, 77 skipped (no chromium).
import { argumentsOrExit, failureList, launchChromium, startAndRead } from './chromium.mjs';

const [binary, build] = argumentsOrExit(2, 'node serve.mjs NPSBUNDLE_BINARY BUILD_DIR');
const { check, finish } = failureList();

// Start the server on a free port and read the URL from its start-up line.
const { child: server, found } = startAndRead(binary, ['serve', build, '--port', '0', '--precompress=wait'],
    /http:\/\/127\.0\.0\.1:\d+\//, 'serve');
const baseUrl = (await found)[0];
server.stdout.resume();

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const errors = [];
  const assets = [];  // {url, status, encoding, type}
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('response', async (response) => {
    const url = response.url();
    if (!/\.(js|css)$/.test(new URL(url).pathname)) return;
    const headers = await response.allHeaders();
    assets.push({ url, status: response.status(), encoding: headers['content-encoding'] ?? '' });
  });

  await page.goto(baseUrl, { waitUntil: 'networkidle' });
  check(assets.some((a) => /\/assets\/index-[^/]+\.js$/.test(a.url)), 'the entry script was loaded');

  // Client-side navigation to a lazy page fetches its chunk on demand.
  // waitForLoadState('networkidle') would return at once: a client-side
  // navigation does not reset the document's load state. Wait for the chunk.
  const oracleChunk = page
      .waitForResponse((r) => /\/assets\/Oracle-[^/]+\.js$/.test(new URL(r.url()).pathname), { timeout: 15000 })
      .catch(() => null);
  await page.click('a[href="/oracle"]');
  await page.waitForURL(`${baseUrl}oracle`);
  await oracleChunk;
  await page.waitForTimeout(200);  // let the response handler record it
  check(assets.some((a) => /\/assets\/Oracle-[^/]+\.js$/.test(a.url)), 'the Oracle chunk was loaded lazily');

  // A reload on the deep link is answered with index.html (SPA fallback).
  const deep = await page.goto(`${baseUrl}oracle`, { waitUntil: 'networkidle' });
  check(deep.status() === 200, `GET /oracle: status ${deep.status()}`);
  check((await deep.allHeaders())['cache-control'] === 'no-cache', 'index.html is not cached');
  const links = (await deep.allHeaders())['link'] ?? '';
  check(links.includes('rel=modulepreload'), 'index.html carries modulepreload Link headers');

  for (const a of assets) {
    // 304s repeat no Content-Encoding; the first fetch of each file counts.
    if (a.status === 304) continue;
    check(a.status === 200, `${a.url}: status ${a.status}`);
    check(a.encoding === 'br', `${a.url}: content-encoding "${a.encoding}", expected br`);
  }
  check(assets.length >= 6, `only ${assets.length} scripts and stylesheets seen`);
  check(errors.length === 0, `console errors: ${errors.join(' | ')}`);

  // Last, since the browser logs the 404 as a console error: a stale chunk
  // reference gets a plain 404, never index.html.
  const missing = await page.evaluate(async () => {
    const r = await fetch('/assets/Oracle-missing0.js');
    return { status: r.status, body: await r.text() };
  });
  check(missing.status === 404 && !missing.body.includes('<html'), 'a missing chunk is a plain 404');
} finally {
  await browser.close();
  server.kill('SIGTERM');
}

finish('browser test passed: lazy page loaded, all JS/CSS brotli-encoded, no console errors');
