#!/usr/bin/env node
'use strict';
// The `npsbundle` command: runs the platform's native binary with the same
// arguments and stdio, and exits the way it exited (code or signal).
const { spawn } = require('node:child_process');
const { findBinary, BinaryError } = require('../lib/binary.js');

let binary;
try {
  binary = findBinary();
} catch (error) {
  if (!(error instanceof BinaryError)) throw error;
  process.stderr.write(error.message + '\n');
  process.exit(error.exitCode);
}

const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' });
// A signal sent to this process (not to the whole process group) must still
// reach the binary, which finishes its own cleanup and dies of it.
const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
const forward = (signal) => child.kill(signal);
for (const signal of forwarded) process.on(signal, forward);

child.on('error', (error) => {
  process.stderr.write(`npsbundle: error: ${binary}: cannot run (${error.code || error.message})\n`);
  process.exit(71);
});
child.on('exit', (code, signal) => {
  if (signal) {
    for (const s of forwarded) process.removeListener(s, forward);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code);
});
