#!/usr/bin/env bash
# The report schema against real reports, and index.d.ts against the schema.
# usage: schema.sh NPSBUNDLE_BINARY SOURCE_DIR
# Needs node only (no registry, no installs). Exit 77 without node.
set -uo pipefail
binary="$1"
source_dir="$2"
here="$source_dir/tests/npm"
# shellcheck source=lib.sh
source "$here/lib.sh"
command -v node >/dev/null || { echo "skip: node is needed"; exit 77; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"
schema="$source_dir/schema/report.schema.json"

# Every fixture, plus the reports that carry optional keys: zstd, a diff.
fixtures="$source_dir/fixtures/builds"
reports=()
for dir in "$fixtures"/*/; do
  name="$(basename "$dir")"
  "$binary" check "$dir" --format json >"$work/$name.json" 2>"$work/$name.err"
  code=$?
  if [[ $code -le 1 ]]; then reports+=("$work/$name.json"); else fail "check $name exited $code: $(cat "$work/$name.err")"; fi
done
"$binary" check "$fixtures/good" --zstd --format json >"$work/good-zstd.json"
# The nps preset has the timing rules (profile, critical path steps).
"$binary" check "$fixtures/good" --budget nps --format json >"$work/good-nps.json"
"$binary" check "$fixtures/changed-page" --baseline "$work/good.json" --format json >"$work/changed-baseline.json"
"$binary" check "$fixtures/sourcemap" --baseline "$work/hidden-sourcemap.json" --format json >"$work/sourcemap-baseline.json"
# Several apps (monorepos): the AppsReport shape, and its baseline paired by app name.
"$binary" check "$fixtures/good" "$fixtures/bloated" --format json >"$work/apps.json"
"$binary" check "$fixtures/good" "$fixtures/bloated" --baseline "$work/apps.json" --format json >"$work/apps-baseline.json"
# A pair no committed fixture gives: good with vendor-query renamed (same
# bytes, another name: a diff row with change "renamed" and related) and the
# Learning page's source moved under node_modules (a lazy library).
cp -r "$fixtures/good" "$work/renamed"
grep -rl --null 'vendor-query' "$work/renamed" | xargs -0 sed -i 's/vendor-query/vendor-qurey/g'
mv "$work/renamed/assets/vendor-query-36H9U8Gs.js" "$work/renamed/assets/vendor-qurey-36H9U8Gs.js"
sed -i 's#src/pages/Learning.tsx#node_modules/learn-kit/Learning.tsx#g' "$work/renamed/.vite/manifest.json"
"$binary" check "$work/renamed" --baseline "$work/good.json" --format json >"$work/renamed-baseline.json"
reports+=("$work/good-zstd.json" "$work/good-nps.json" "$work/changed-baseline.json" "$work/sourcemap-baseline.json"
  "$work/renamed-baseline.json" "$work/apps.json" "$work/apps-baseline.json")
tally "$(node "$here/validate.mjs" "$schema" "${reports[@]}")"

# The reports together use every key the schema lists (else the schema or the
# fixtures miss a case, and nothing checks that key's type).
tally "$(node "$here/schema_coverage.mjs" "$schema" "${reports[@]}")"

# The validator can fail: a report with an unknown key, a wrong type, a missing key.
node -e '
  const fs = require("fs");
  const r = JSON.parse(fs.readFileSync(process.argv[1]));
  const write = (name, f) => { const c = structuredClone(r); f(c); fs.writeFileSync(`${process.argv[2]}/${name}`, JSON.stringify(c)); };
  write("bad-extra.json", (c) => { c.files[0].surprise = 1; });
  write("bad-type.json", (c) => { c.entries[0].total.gzip = "92 kB"; });
  write("bad-missing.json", (c) => { delete c.rules[0].status; });
  write("bad-enum.json", (c) => { c.rules[0].status = "ok"; });
' "$work/good.json" "$work"
for bad in extra type missing enum; do
  out="$(node "$here/validate.mjs" "$schema" "$work/bad-$bad.json")"
  expect_match "validator rejects a report with a bad $bad" "$out" '^FAIL: '
done

# index.d.ts is what npm/gen-types makes of the schema today.
if node "$source_dir/npm/gen-types" --check 2>"$work/gen.err"; then pass "index.d.ts matches the schema"; else fail "$(cat "$work/gen.err")"; fi
# ... and the check notices drift: a copy with one more schema key must fail it.
mkdir -p "$work/tree/npm/npsbundle" "$work/tree/schema"
cp "$source_dir/npm/gen-types" "$work/tree/npm/"
cp "$source_dir/npm/npsbundle/index.d.ts" "$source_dir/npm/npsbundle/index.d.ts.in" "$work/tree/npm/npsbundle/"
node -e '
  const fs = require("fs");
  const s = JSON.parse(fs.readFileSync(process.argv[1]));
  s.$defs.Totals.properties.zopfli = { type: "integer" };
  fs.writeFileSync(process.argv[2], JSON.stringify(s, null, 2));
' "$schema" "$work/tree/schema/report.schema.json"
node "$work/tree/npm/gen-types" --check 2>/dev/null
expect "gen-types --check fails when the schema changed" "$?" 1
node "$work/tree/npm/gen-types" && grep -q '  zopfli?: number;' "$work/tree/npm/npsbundle/index.d.ts"
expect "gen-types writes the new key as an optional number" "$?" 0

summary
