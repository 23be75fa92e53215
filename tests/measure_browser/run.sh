#!/usr/bin/env bash
# CTest driver of the measure browser test.
# usage: run.sh NPSBUNDLE_BINARY SOURCE_DIR
# Measures the good fixture in Debian's headless Chromium (3 cold runs of the
# initial load and of one lazy page on fast-3g) and checks the figures
# against the estimate and against `check`'s sizes (check.py). Exits 77
# (skipped) when chromium is missing.
set -euo pipefail
npsbundle="$1"
source_dir="$2"
chromium="${NPSBUNDLE_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium" ]] || { echo "skip: $chromium not installed"; exit 77; }

build="$source_dir/fixtures/builds/good"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$npsbundle" check "$build" --budget nps --format json > "$work/check.json"
"$npsbundle" measure "$build" --budget nps --runs 3 --pages Oracle --profile fast-3g --format json \
  --browser "$chromium" --timeout 120 > "$work/measure.json"
exec python3 "$source_dir/tests/measure_browser/check.py" "$work/check.json" "$work/measure.json"
