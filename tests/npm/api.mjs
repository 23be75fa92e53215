// Node API of the installed npsbundle; copied (with step.mjs) into a project that installed it.
// usage: node api.mjs BINARY FIXTURES_DIR   (prints ok:/FAIL: lines)
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import * as esm from 'npsbundle';
import { step } from './step.mjs';

const [binary, fixtures] = process.argv.slice(2);
const cjs = createRequire(import.meta.url)('npsbundle');

// The report the binary writes itself, without the cache counts that differ by run.
function direct(fixture) {
  let out;
  try {
    out = execFileSync(binary, ['check', fixture, '--format', 'json'], { encoding: 'utf8' });
  } catch (error) {
    out = error.stdout;
  }
  return JSON.parse(out);
}
const withoutCache = ({ cache, ...rest }) => rest;

await step('api: ESM and CommonJS entries are the same functions', () => assert.equal(esm.check, cjs.check));
await step('api: check(good) resolves to the report the binary writes', async () => {
  const report = await esm.check(`${fixtures}/good`);
  assert.equal(report.passed, true);
  assert.deepEqual(withoutCache(report), withoutCache(direct(`${fixtures}/good`)));
});
await step('api: check(bloated) resolves (over budget is a result) with passed false', async () => {
  const report = await cjs.check(`${fixtures}/bloated`);
  assert.equal(report.passed, false);
  assert.ok(report.rules.some((r) => r.status === 'fail'));
});
await step('api: budget option reaches the binary', async () => {
  const report = await esm.check(`${fixtures}/good`, { args: ['--initial', '1 kB gzip'], cache: false });
  assert.equal(report.passed, false);
  assert.equal(report.cache.hits, 0);
});
await step('api: bad input rejects with CheckError exitCode 2 and stderr', async () => {
  await assert.rejects(esm.check(`${fixtures}/no-such-build`), (error) => {
    assert.equal(error.name, 'CheckError');
    assert.equal(error.exitCode, 2);
    assert.match(error.stderr, /^npsbundle: error: /m);
    assert.match(error.message, /no-such-build/);
    return true;
  });
});
