// Opens an npsbundle HTML report in Debian's headless Chromium (never a
// downloaded browser) and checks that the treemap rendered: one top-level box
// per JS/CSS chunk of the JSON report, boxes inside the source-mapped chunks,
// zoom and the size switch working, and no console errors. Saves a screenshot.
//
// usage: node treemap.mjs REPORT.html REPORT.json SCREENSHOT.png
// Exit codes: 0 pass, 1 failure, 77 skipped (no chromium).
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.NPSBUNDLE_CHROMIUM ?? '/usr/bin/chromium';
const [htmlPath, jsonPath, screenshotPath] = process.argv.slice(2);
if (!htmlPath || !jsonPath || !screenshotPath) {
  console.error('usage: node treemap.mjs REPORT.html REPORT.json SCREENSHOT.png');
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.log(`skip: ${CHROMIUM} not found`);
  process.exit(77);
}

// Expected boxes come from the JSON report, not from the HTML under test.
const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
const chunks = report.files.filter((f) => f.kind === 'js' || f.kind === 'css');
const expected = chunks.map((f) => f.path).sort();
const mapped = chunks.filter((f) => f.packages);

const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  const requests = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('request', (req) => {
    if (!req.url().startsWith('file:')) requests.push(req.url());
  });
  await page.goto(pathToFileURL(htmlPath).href);
  await page.waitForSelector('body[data-rendered="true"]', { timeout: 10000 });

  const topLevel = async () =>
    (await page.$$eval('#treemap > .box[data-depth="0"]', (boxes) => boxes.map((b) => b.dataset.name))).sort();
  const boxes = await topLevel();
  check(JSON.stringify(boxes) === JSON.stringify(expected),
        `top-level boxes ${JSON.stringify(boxes)} != chunks ${JSON.stringify(expected)}`);
  const initial = await page.$$eval('#treemap > .box.load-initial', (b) => b.length);
  const lazy = await page.$$eval('#treemap > .box.load-lazy', (b) => b.length);
  check(initial > 0 && lazy > 0, `initial ${initial} and lazy ${lazy} boxes`);

  if (mapped.length) {
    // The largest mapped chunk shows its largest package inside it.
    const biggest = mapped.reduce((a, b) => (b.gzip > a.gzip ? b : a));
    const top = biggest.packages.reduce((a, b) => (b.gzip > a.gzip ? b : a));
    const inner = await page.$$eval(
      `#treemap > .box[data-name="${biggest.path}"] > .box[data-depth="1"]`,
      (b) => b.map((x) => x.dataset.name),
    );
    check(inner.includes(top.name), `${biggest.path} shows ${JSON.stringify(inner)}, expected ${top.name}`);
    // Zoom into it: its groups become the top level; Escape zooms out.
    await page.$eval(`#treemap > .box[data-name="${biggest.path}"]`, (b) => b.click());
    const zoomed = await topLevel();
    check(zoomed.includes(top.name) && !zoomed.includes(biggest.path), `zoomed view ${JSON.stringify(zoomed)}`);
    await page.keyboard.press('Escape');
    check(JSON.stringify(await topLevel()) === JSON.stringify(expected), 'Escape returns to all chunks');
  }

  // The measure switch re-renders with raw sizes (a different total).
  const gzipTotal = await page.textContent('#total');
  await page.check('input[name=measure][value=raw]');
  const rawTotal = await page.textContent('#total');
  check(gzipTotal !== rawTotal && rawTotal.includes('raw'), `size switch: "${gzipTotal}" -> "${rawTotal}"`);
  await page.check('input[name=measure][value=gzip]');

  const ruleRows = await page.$$eval('#rules-body tr', (r) => r.length);
  check(ruleRows === report.rules.length, `${ruleRows} rule rows, report has ${report.rules.length}`);
  if (report.diff) {
    const diffRows = await page.$$eval('#diff-body tr', (r) => r.length);
    check(diffRows > 0, 'diff table rendered');
  }

  check(errors.length === 0, `console errors: ${JSON.stringify(errors)}`);
  check(requests.length === 0, `network requests: ${JSON.stringify(requests)}`);
  await page.screenshot({ path: screenshotPath, fullPage: false });
} finally {
  await browser.close();
}

if (failures.length) {
  for (const f of failures) console.error(`FAIL: ${f}`);
  process.exit(1);
}
console.log(`ok: ${expected.length} chunk boxes, screenshot ${screenshotPath}`);
