// What the browser scripts of tests/browser share: Debian's Chromium (never
// a downloaded browser), its headless flags, starting a server and reading
// its address, and failure collection.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.NPSBUNDLE_CHROMIUM ?? '/usr/bin/chromium';

// Exits 2 with `usage` unless every argument is given, 77 (skip) without
// Chromium; returns the arguments.
export function argumentsOrExit(count, usage) {
  const args = process.argv.slice(2);
  if (args.length < count || args.slice(0, count).some((a) => !a)) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  if (!existsSync(CHROMIUM)) {
    console.log(`skip: ${CHROMIUM} not found`);
    process.exit(77);
  }
  return args;
}

// Headless, no sandbox (containers, CI), no QUIC and no background traffic;
// `extra` flags after those.
export function launchChromium(extra = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extra],
  });
}

// check(ok, what) records `what` when !ok; finish() prints them and exits 1,
// or prints `passed` and returns.
export function failureList() {
  const failures = [];
  return {
    check: (ok, what) => {
      if (!ok) failures.push(what);
    },
    finish: (passed) => {
      if (failures.length > 0) {
        for (const f of failures) console.error(`FAIL: ${f}`);
        process.exit(1);
      }
      console.log(passed);
    },
  };
}

// Starts `command` and resolves with the first match of `pattern` in its
// stdout (the whole stdout so far is matched, so a match may span lines).
export function startAndRead(command, args, pattern, what) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const found = new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 60 s: ${out}`)), 60000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.on('exit', (code) => reject(new Error(`${what} exited with ${code}: ${out}`)));
  });
  return { child, found };
}
