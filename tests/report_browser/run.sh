#!/usr/bin/env bash
# CTest driver of the HTML report browser test.
# usage: run.sh NPSBUNDLE_BINARY SOURCE_DIR OUTPUT_DIR
# Writes OUTPUT_DIR/report.{json,html} for the changed-page fixture against a
# baseline report of the sourcemap fixture, then runs treemap.mjs, which
# leaves OUTPUT_DIR/treemap.png. Exits 77 (skipped) when node or chromium is
# missing; installs playwright-core (never a browser) on first use.
set -euo pipefail
npsbundle="$1"
source_dir="$2"
out="$3"
here="$source_dir/tests/report_browser"

command -v node >/dev/null || { echo "skip: node not installed"; exit 77; }
chromium="${NPSBUNDLE_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium" ]] || { echo "skip: $chromium not installed"; exit 77; }

if [[ ! -d "$here/node_modules/playwright-core" ]]; then
  command -v npm >/dev/null || { echo "npm is needed to install playwright-core" >&2; exit 1; }
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >&2)
fi

mkdir -p "$out"
fixtures="$source_dir/fixtures/builds"
"$npsbundle" check "$fixtures/sourcemap" --format json --output "$out/baseline.json"
"$npsbundle" check "$fixtures/changed-page" --baseline "$out/baseline.json" --format json --output "$out/report.json"
"$npsbundle" check "$fixtures/changed-page" --baseline "$out/baseline.json" --format html --output "$out/report.html"
exec node "$here/treemap.mjs" "$out/report.html" "$out/report.json" "$out/treemap.png"
