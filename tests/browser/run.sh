#!/usr/bin/env bash
# CTest driver of the serve browser tests.
# usage: run.sh NPSBUNDLE_BINARY SOURCE_DIR [SCRIPT]
# Serves the good fixture and loads it in Debian's headless Chromium through
# SCRIPT (serve.mjs; h2.mjs: over --https and HTTP/2). Exits 77 (skipped)
# when node or chromium is missing; installs playwright-core (never a
# browser) on first use.
set -euo pipefail
npsbundle="$1"
source_dir="$2"
here="$source_dir/tests/browser"

command -v node >/dev/null || { echo "skip: node not installed"; exit 77; }
chromium="${NPSBUNDLE_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium" ]] || { echo "skip: $chromium not installed"; exit 77; }

if [[ ! -d "$here/node_modules/playwright-core" ]]; then
  command -v npm >/dev/null || { echo "npm is needed to install playwright-core" >&2; exit 1; }
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >&2)
fi

script="${3:-serve.mjs}"
exec node "$here/$script" "$npsbundle" "$source_dir/fixtures/builds/good" "$source_dir"
