// Exit codes and signals through the installed `npsbundle` command.
// usage: node signals.mjs SHIM WORK_DIR   (prints ok:/FAIL: lines)
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { step } from './step.mjs';

const [shim, work] = process.argv.slice(2);

function fakeBinary(name, body) {
  const file = `${work}/${name}`;
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

// Runs the shim on a stand-in binary; `act(child)` may signal it once it runs.
function runShim(binary, act) {
  return new Promise((resolve) => {
    const child = spawn(shim, [], { env: { ...process.env, NPSBUNDLE_BINARY: binary }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (act && out.includes('ready')) {
        act(child);
        act = null;
      }
    });
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
}


await step('shim: a child that dies of SIGTERM makes the shim die of SIGTERM', async () => {
  const result = await runShim(fakeBinary('self-term', 'kill -TERM $$'));
  assert.deepEqual(result, { code: null, signal: 'SIGTERM' });
});
await step('shim: SIGTERM sent to the shim reaches the binary and both die of it', async () => {
  const marker = `${work}/got-term`;
  const binary = fakeBinary('sleeper', `trap 'echo > ${marker}; kill $! 2>/dev/null; trap - TERM; kill -TERM $$' TERM\necho ready\nsleep 30 & wait`);
  const result = await runShim(binary, (child) => child.kill('SIGTERM'));
  assert.deepEqual(result, { code: null, signal: 'SIGTERM' });
  assert.ok(existsSync(marker), 'the binary never saw SIGTERM');
});
await step('shim: SIGINT is forwarded and the binary exit code 130 passes through', async () => {
  const binary = fakeBinary('int-exit', `trap 'kill $! 2>/dev/null; exit 130' INT\necho ready\nsleep 30 & wait`);
  const result = await runShim(binary, (child) => child.kill('SIGINT'));
  assert.deepEqual(result, { code: 130, signal: null });
});
for (const code of [0, 1, 2, 5, 70]) {
  await step(`shim: exit code ${code} passes through`, async () => {
    const result = await runShim(fakeBinary(`exit-${code}`, `exit ${code}`));
    assert.deepEqual(result, { code, signal: null });
  });
}
