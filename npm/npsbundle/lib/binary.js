'use strict';
// Finds the native binary of this platform and checks that its version is the
// package's. Shared by the `npsbundle` command and the Node API.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { version } = require('../package.json');

// Exit codes of the JavaScript wrapper, beside the binary's own 0-5 and 70.
const EXIT_BINARY_MISSING = 71;
const EXIT_VERSION_MISMATCH = 72;

const SUPPORTED = ['linux-x64', 'linux-arm64'];

class BinaryError extends Error {
  constructor(message, exitCode) {
    super(message);
    this.name = 'BinaryError';
    this.exitCode = exitCode;
  }
}

function platformPackage(platform = process.platform, arch = process.arch) {
  return `@npsbundle/${platform}-${arch}`;
}

// Absolute path of the binary, or a BinaryError with one line saying what to install.
function resolveBinary() {
  if (process.env.NPSBUNDLE_BINARY) return process.env.NPSBUNDLE_BINARY;
  const target = `${process.platform}-${process.arch}`;
  const pkg = platformPackage();
  if (!SUPPORTED.includes(target)) {
    throw new BinaryError(
      `npsbundle: error: no binary for ${target}: only ${SUPPORTED.join(' and ')} are published (macOS and Windows builds are planned)`,
      EXIT_BINARY_MISSING,
    );
  }
  try {
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'npsbundle');
  } catch {
    throw new BinaryError(
      `npsbundle: error: ${pkg} is not installed (a lock file made on another platform skips it); run: npm install --save-optional ${pkg}@${version}`,
      EXIT_BINARY_MISSING,
    );
  }
}

// Throws a BinaryError when the binary cannot run or reports another version.
function checkBinaryVersion(binary) {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (result.error) {
    throw new BinaryError(`npsbundle: error: ${binary}: cannot run (${result.error.code || result.error.message})`, EXIT_BINARY_MISSING);
  }
  const found = (result.stdout || '').trim().replace(/^npsbundle /, '');
  if (found !== version) {
    throw new BinaryError(
      `npsbundle: error: ${binary} is version ${found || '(none)'} but the npsbundle package is ${version}; reinstall npsbundle`,
      EXIT_VERSION_MISMATCH,
    );
  }
}

// The binary to run: resolved, and version-checked unless NPSBUNDLE_BINARY overrides it.
function findBinary() {
  const binary = resolveBinary();
  if (!process.env.NPSBUNDLE_BINARY) checkBinaryVersion(binary);
  return binary;
}

module.exports = { findBinary, platformPackage, BinaryError, EXIT_BINARY_MISSING, EXIT_VERSION_MISMATCH, version };
