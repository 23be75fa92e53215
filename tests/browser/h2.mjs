// Loads a build from `npsbundle serve --https` in Debian's headless Chromium
// over HTTP/2 (issue 19): the browser trusts serve's certificate by the SPKI
// hash serve prints (--ignore-certificate-errors-spki-list, never a blanket
// ignore), opens the app, clicks through to a lazy page, and checks that no
// console error appeared and that the navigation and every resource came
// over h2 (performance entries' nextHopProtocol). Then a WebSocket through
// `--proxy /ws=ws://…` (the echo backend of tests/serve/proxy_suite.py)
// echoes a message: serve's h2 does not advertise RFC 8441 extended
// CONNECT, so Chromium opens it on a separate HTTP/1.1 connection.
//
// usage: node h2.mjs NPSBUNDLE_BINARY BUILD_DIR SOURCE_DIR
// Exit codes: 0 pass, 1 failure, 77 skipped (no chromium).
import path from 'node:path';
import { argumentsOrExit, failureList, launchChromium, startAndRead } from './chromium.mjs';

const [binary, build, sourceDir] = argumentsOrExit(3, 'node h2.mjs NPSBUNDLE_BINARY BUILD_DIR SOURCE_DIR');
const { check, finish } = failureList();

const backend = startAndRead('python3', ['-c', [
  'import sys',
  `sys.path.insert(0, ${JSON.stringify(path.join(sourceDir, 'tests', 'serve'))})`,
  'import proxy_suite',
  'backend = proxy_suite.Backend()',
  'print("backend port", backend.server_address[1], flush=True)',
  'backend.serve_forever()',
].join('\n')], /backend port (\d+)/, 'the echo backend');
const children = [backend.child];
let browser;
try {
  const backendPort = (await backend.found)[1];
  backend.child.stdout.resume();
  const serve = startAndRead(binary, ['serve', build, '--https', '--port', '0', '--precompress=wait',
    '--proxy', `/ws=ws://127.0.0.1:${backendPort}`],
  /(https:\/\/127\.0\.0\.1:\d+\/)[\s\S]*SPKI[^\n]*?([A-Za-z0-9+/]{43}=)/i, 'serve --https');
  children.push(serve.child);
  const [, baseUrl, spki] = await serve.found;
  serve.child.stdout.resume();

  browser = await launchChromium([`--ignore-certificate-errors-spki-list=${spki}`]);

  const page = await browser.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));

  const response = await page.goto(baseUrl, { waitUntil: 'networkidle' });
  check(response.status() === 200, `GET /: status ${response.status()}`);
  const lazy = page
      .waitForResponse((r) => /\/assets\/Oracle-[^/]+\.js$/.test(new URL(r.url()).pathname), { timeout: 15000 })
      .catch(() => null);
  await page.click('a[href="/oracle"]');
  await page.waitForURL(`${baseUrl}oracle`);
  check((await lazy) !== null, 'the Oracle chunk was loaded lazily');
  await page.waitForLoadState('networkidle');

  const entries = await page.evaluate(() =>
    [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
        .map((e) => ({ name: e.name, type: e.entryType, protocol: e.nextHopProtocol })));
  const ours = entries.filter((e) => e.name.startsWith(baseUrl));
  check(ours.some((e) => e.type === 'navigation'), 'a navigation entry');
  check(ours.some((e) => /\/assets\/Oracle-[^/]+\.js$/.test(e.name)), 'a resource entry of the lazy chunk');
  const chunks = ours.filter((e) => /\.(js|css)$/.test(new URL(e.name).pathname));
  check(chunks.length >= 6, `only ${chunks.length} scripts and stylesheets among the resource entries`);
  for (const e of ours) check(e.protocol === 'h2', `${e.type} ${e.name}: nextHopProtocol "${e.protocol}", expected h2`);

  const echo = await page.evaluate((url) => new Promise((resolve) => {
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
  }), `${baseUrl.replace(/^https:/, 'wss:')}ws/echo`);
  check(echo === 'hello over wss', `WebSocket through the proxy: got "${echo}", expected the echo`);
  check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
  console.log(`${ours.length} entries over h2 (${chunks.length} scripts and stylesheets); WebSocket echo: ${echo}`);
} finally {
  if (browser) await browser.close();
  for (const child of children) child.kill('SIGTERM');
}

finish('h2 browser test passed: every entry over h2, no console errors, WebSocket echoed over wss');
