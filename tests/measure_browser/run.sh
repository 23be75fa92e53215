#!/usr/bin/env bash
# CTest driver of the measure browser test.
# usage: run.sh NPSBUNDLE_BINARY SOURCE_DIR
# Measures the good fixture in Debian's headless Chromium (3 cold runs of the
# initial load and of one lazy page on fast-3g) and checks the figures
# against the estimate and against `check`'s sizes (check.py). Then measures
# redirect-app, whose catch-all route redirects unknown paths to /404: from
# the default start page that is exit 6 with its message; from --start / the
# transition is real and lists what arrived. Last, measures the good
# fixture once over --https: every request over h2, the same bytes, the
# protocol line in the text report. Exits 77 (skipped) when chromium is
# missing.
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
python3 "$source_dir/tests/measure_browser/check.py" "$work/check.json" "$work/measure.json"

redirect="$source_dir/tests/measure_browser/redirect-app"
status=0
"$npsbundle" measure "$redirect/dist" --budget "$redirect/budget.json" --runs 1 --browser "$chromium" \
  --timeout 60 > "$work/redirect.out" 2> "$work/redirect.err" || status=$?
expected="npsbundle: error: the start page /npsbundle-measure-start ended on /404 before any transition (a catch-all route redirecting?); choose a page that stays with --start PATH"
if [[ "$status" != 6 || "$(cat "$work/redirect.err")" != "$expected" ]]; then
  echo "FAIL: redirect-app from the default start: exit $status, stderr:" >&2
  cat "$work/redirect.err" >&2
  exit 1
fi
"$npsbundle" measure "$redirect/dist" --budget "$redirect/budget.json" --runs 1 --browser "$chromium" \
  --timeout 60 --start / --format json > "$work/redirect.json"
python3 - "$work/redirect.json" <<'PY'
import json, sys
about = [m for m in json.load(open(sys.argv[1]))["measurements"] if m["key"] == "src/About.js"]
assert about, "no transition to /about"
assert about[0]["arrivedFiles"] == ["assets/About-Cd3Ef4Gh.js"], about[0]["arrivedFiles"]
assert about[0]["arrivedMs"]["p50"] > 0, about[0]["arrivedMs"]
print("redirect-app: exit 6 from the default start; from / the transition to /about took",
      about[0]["arrivedMs"]["p50"], "ms")
PY

# --https: serve's development certificate (made in the test cache folder),
# trusted by its SPKI hash; HTTP/2 for every request, the bytes unchanged.
"$npsbundle" measure "$build" --budget nps --runs 1 --pages Oracle --https --format json \
  --browser "$chromium" --timeout 120 > "$work/https.json"
python3 - "$work/check.json" "$work/https.json" <<'PY'
import json, sys
check, measure = (json.load(open(path)) for path in sys.argv[1:3])
brotli = {g["key"]: g["total"]["brotli"] for g in check["entries"] + check["lazyPages"]}
answered = [r for m in measure["measurements"] for r in m["requests"] if r["status"]]
assert len(answered) >= 8, answered
assert measure["protocols"] == {"h2": len(answered)}, measure["protocols"]
assert all(r["url"].startswith("/") for r in answered), answered
for m in measure["measurements"]:
    assert m["bytes"]["samples"] == [brotli[m["key"]]], (m["key"], m["bytes"], brotli[m["key"]])
print("https: %d requests over h2, bytes equal check's brotli sizes" % len(answered))
PY
"$npsbundle" measure "$build" --budget nps --runs 1 --pages Oracle --https --browser "$chromium" --timeout 120 \
  > "$work/https.txt"
grep -E '^protocol: h2 \(all [0-9]+ requests\)$' "$work/https.txt" || { cat "$work/https.txt" >&2; exit 1; }
