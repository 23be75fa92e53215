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

// A signal sent to this process (not to the whole process group) must still
// reach the binary, which finishes its own cleanup and dies of it. The
// handlers go in before the spawn: the binary runs (and may print that it is
// ready) before the line after spawn() does, and a signal in between would
// kill this process alone. Handlers run on a later tick, when `child` is set.
const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
let child = null;
const forward = (signal) => child && child.kill(signal);
for (const signal of forwarded) process.on(signal, forward);
child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' });

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
