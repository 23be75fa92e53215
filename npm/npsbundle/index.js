'use strict';
// Node API: `check(path, options)` runs `npsbundle check --format json` and
// resolves to the parsed report (types in index.d.ts).
const { spawn } = require('node:child_process');
const { findBinary, BinaryError, EXIT_BINARY_MISSING, EXIT_VERSION_MISMATCH, version } = require('./lib/binary.js');

// The check command line for `options` (shared with the Vite plugin).
function checkArgs(buildPath, options = {}) {
  const args = ['check', buildPath];
  if (options.budget) args.push('--budget', options.budget);
  if (options.baseline) args.push('--baseline', options.baseline);
  if (options.manifest) args.push('--manifest', options.manifest);
  if (options.cache === false) args.push('--no-cache');
  else if (typeof options.cache === 'string') args.push('--cache', options.cache);
  return args.concat(options.args || []);
}

// Runs the binary; resolves to { code, signal, stdout, stderr } whatever the exit.
function run(args, options = {}) {
  return new Promise((resolve, reject) => {
    let binary;
    try {
      binary = options.binary || findBinary();
    } catch (error) {
      reject(error);
      return;
    }
    const child = spawn(binary, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    child.on('error', (error) => reject(new BinaryError(`npsbundle: error: ${binary}: cannot run (${error.code || error.message})`, EXIT_BINARY_MISSING)));
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }),
    );
  });
}

class CheckError extends Error {
  constructor(message, exitCode, stderr) {
    super(message);
    this.name = 'CheckError';
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

// Over budget (exit 1) is a result, not an error: the report says what failed.
async function check(buildPath, options = {}) {
  const args = checkArgs(buildPath, options).concat(['--format', 'json']);
  const result = await run(args, options);
  if (result.code === 0 || result.code === 1) return JSON.parse(result.stdout);
  const why = result.stderr.trim().split('\n').pop() || `npsbundle exited with ${result.signal || result.code}`;
  throw new CheckError(why, result.code, result.stderr);
}

module.exports = { check, checkArgs, run, CheckError, BinaryError, EXIT_BINARY_MISSING, EXIT_VERSION_MISMATCH, version };
