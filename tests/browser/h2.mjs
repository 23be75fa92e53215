// `npsbundle serve --https` in Debian's headless Chromium (issue 19). The
// browser trusts serve's development certificate by the SPKI hash serve
// prints (--ignore-certificate-errors-spki-list, never a blanket ignore).
//
// 1. Over HTTP/2: opens the app, clicks through to a lazy page, and checks
//    that no console error appeared and that the navigation and every
//    resource came over h2 (performance entries' nextHopProtocol).
// 2. WebSockets: a second serve with `--proxy /ws=ws://…` (the echo backend
//    of tests/serve/proxy_suite.py); a page opens `wss://…/ws/echo` and gets
//    its message back. serve's h2 advertises no RFC 8441 extended CONNECT,
//    so a browser opens WebSockets over HTTP/1.1 anyway; and with proxy rules
//    serve offers only http/1.1 by ALPN for now (README, "Over TLS"), so
//    that page must come over http/1.1 too: asserted, so that lifting the
//    rule shows up here.
//
// usage: node h2.mjs NPSBUNDLE_BINARY BUILD_DIR SOURCE_DIR
// Exit codes: 0 pass, 1 failure, 77 skipped (no chromium).
import path from 'node:path';
import { argumentsOrExit, failureList, launchChromium, startAndRead } from './chromium.mjs';

const [binary, build, sourceDir] = argumentsOrExit(3, 'node h2.mjs NPSBUNDLE_BINARY BUILD_DIR SOURCE_DIR');
const { check, finish } = failureList();
const SERVE_LINE = /(https:\/\/127\.0\.0\.1:\d+\/)[\s\S]*SPKI[^\n]*?([A-Za-z0-9+/]{43}=)/i;

// The navigation and resource entries of the page's own origin.
async function entriesOf(page, baseUrl) {
  const entries = await page.evaluate(() =>
    [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
        .map((e) => ({ name: e.name, type: e.entryType, protocol: e.nextHopProtocol })));
  return entries.filter((e) => e.name.startsWith(baseUrl));
}

function collectErrors(page) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  return errors;
}

const children = [];
let browser;
try {
  const backend = startAndRead('python3', ['-B', '-c', [
    'import sys',
    `sys.path.insert(0, ${JSON.stringify(path.join(sourceDir, 'tests', 'serve'))})`,
    'import proxy_suite',
    'backend = proxy_suite.Backend()',
    'print("backend port", backend.server_address[1], flush=True)',
    'backend.serve_forever()',
  ].join('\n')], /backend port (\d+)/, 'the echo backend');
  children.push(backend.child);
  const backendPort = (await backend.found)[1];
  backend.child.stdout.resume();

  const plain = startAndRead(binary, ['serve', build, '--https', '--port', '0', '--precompress=wait'], SERVE_LINE,
      'serve --https');
  children.push(plain.child);
  const [, baseUrl, spki] = await plain.found;
  plain.child.stdout.resume();
  const proxied = startAndRead(binary, ['serve', build, '--https', '--port', '0', '--precompress=wait',
    '--proxy', `/ws=ws://127.0.0.1:${backendPort}`], SERVE_LINE, 'serve --https --proxy');
  children.push(proxied.child);
  const [, proxiedUrl, proxiedSpki] = await proxied.found;
  proxied.child.stdout.resume();

  browser = await launchChromium([`--ignore-certificate-errors-spki-list=${[...new Set([spki, proxiedSpki])]}`]);

  // 1. The app over h2.
  const page = await browser.newPage();
  const errors = collectErrors(page);
  const response = await page.goto(baseUrl, { waitUntil: 'networkidle' });
  check(response.status() === 200, `GET /: status ${response.status()}`);
  const lazy = page
      .waitForResponse((r) => /\/assets\/Oracle-[^/]+\.js$/.test(new URL(r.url()).pathname), { timeout: 15000 })
      .catch(() => null);
  await page.click('a[href="/oracle"]');
  await page.waitForURL(`${baseUrl}oracle`);
  check((await lazy) !== null, 'the Oracle chunk was loaded lazily');
  await page.waitForLoadState('networkidle');
  const ours = await entriesOf(page, baseUrl);
  check(ours.some((e) => e.type === 'navigation'), 'a navigation entry');
  check(ours.some((e) => /\/assets\/Oracle-[^/]+\.js$/.test(e.name)), 'a resource entry of the lazy chunk');
  const chunks = ours.filter((e) => /\.(js|css)$/.test(new URL(e.name).pathname));
  check(chunks.length >= 6, `only ${chunks.length} scripts and stylesheets among the resource entries`);
  for (const e of ours) check(e.protocol === 'h2', `${e.type} ${e.name}: nextHopProtocol "${e.protocol}", expected h2`);
  check(errors.length === 0, `console errors over h2: ${errors.join(' | ')}`);
  console.log(`over h2: ${ours.length} entries, ${chunks.length} of them scripts and stylesheets`);

  // 2. A WebSocket through the proxy, over wss.
  const wsPage = await browser.newPage();
  const wsErrors = collectErrors(wsPage);
  await wsPage.goto(proxiedUrl, { waitUntil: 'networkidle' });
  const navigation = (await entriesOf(wsPage, proxiedUrl)).find((e) => e.type === 'navigation');
  check(navigation?.protocol === 'http/1.1',
      `with --proxy the page came over "${navigation?.protocol}"; serve offers http/1.1 only with proxy rules`);
  const echo = await wsPage.evaluate((url) => new Promise((resolve) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => resolve('timeout'), 10000);
    socket.onopen = () => socket.send('hello over wss');
    socket.onmessage = (event) => {
      clearTimeout(timer);
      resolve(String(event.data));
      socket.close();
    };
    socket.onerror = () => {
      clearTimeout(timer);
      resolve('error');
    };
  }), `${proxiedUrl.replace(/^https:/, 'wss:')}ws/echo`);
  check(echo === 'hello over wss', `WebSocket through the proxy: got "${echo}", expected the echo`);
  check(wsErrors.length === 0, `console errors with --proxy: ${wsErrors.join(' | ')}`);
  console.log(`with --proxy: page over ${navigation?.protocol}, WebSocket echo over wss: ${echo}`);
} finally {
  if (browser) await browser.close();
  for (const child of children) child.kill('SIGTERM');
}

finish('h2 browser test passed: every entry over h2, no console errors, WebSocket echoed over wss');
