#!/usr/bin/env bash
# The Vite plugin (npsbundle/vite) in real `vite build`s of a small app, with
# the plugin installed from the packed tarballs: Vite 7 and 8 (Rolldown) by
# default; NPSBUNDLE_VITE_VERSIONS="5 6" picks others (ctest vite_plugin_old).
# usage: run.sh NPSBUNDLE_BINARY SOURCE_DIR
# Each Vite comes from tests/vite_plugin/viteN/package-lock.json, installed
# once into $NPSBUNDLE_TEST_CACHE (default SOURCE_DIR/build/test-npm).
set -uo pipefail
binary="$(realpath "$1")"
source_dir="$(realpath "$2")"
here="$source_dir/tests/vite_plugin"
# shellcheck source=../npm/lib.sh
source "$source_dir/tests/npm/lib.sh"
require_node

read -r -a versions <<< "${NPSBUNDLE_VITE_VERSIONS:-7 8}"
cache="$(test_cache "$source_dir")"
make_work
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false NO_COLOR=1

pack_tarballs "$binary" "$source_dir" "$work/tarballs" || { fail "npm/pack"; summary; exit 1; }
tarballs=("$work/tarballs/npsbundle-$NPSBUNDLE_VERSION.tgz" "$work/tarballs/npsbundle-linux-x64-$NPSBUNDLE_VERSION.tgz")

# app VERSION NAME: a fresh copy of the app using that Vite's node_modules.
app() {
  local dir="$work/$1-$2"
  rm -rf "$dir"
  cp -R "$here/app" "$dir"
  ln -s "$cache/vite$1/node_modules" "$dir/node_modules"
  echo "$dir"
}
# build DIR [VAR=value...]: `vite build` in DIR; sets out and code.
build() {
  local dir="$1"
  shift
  out="$(cd "$dir" && env "$@" nice -n 10 node node_modules/vite/bin/vite.js build 2>&1)"
  code=$?
}

for v in "${versions[@]}"; do
  install_locked "$cache/vite$v" "$here/vite$v" || { fail "vite $v: npm ci"; continue; }
  # The packed plugin, never saved into the locked package.json.
  (cd "$cache/vite$v" && npm install --no-save --loglevel=error "${tarballs[@]}" >/dev/null) || { fail "vite $v: install tarballs"; continue; }
  vite_version="$(node -p "require('$cache/vite$v/node_modules/vite/package.json').version")"
  echo "== Vite $vite_version"

  dir="$(app "$v" pass)"
  build "$dir"
  expect "vite $v: within budget: exit 0" "$code" 0
  expect_match "vite $v: the report table is printed" "$out" $'Initial load: index.html[^\n]*raw[^\n]*gzip[^\n]*brotli'
  expect_match "vite $v: lazy page About is found through the manifest" "$out" 'lazyPages +About is lazy-loaded'
  expect_match "vite $v: verdict" "$out" 'PASS: [0-9]+ rule checks within budget'
  [[ -f "$dir/dist/index.html" && ! -e "$dir/dist/.vite" ]] && pass "vite $v: manifest turned on for the check and removed again" ||
    fail "vite $v: dist/.vite left behind or no build"

  dir="$(app "$v" over)"
  build "$dir" NPSB_BUDGET=tiny.budget.json
  [[ $code -ne 0 ]] && pass "vite $v: over budget fails vite build (exit $code)" || fail "vite $v: over budget exited 0"
  expect_match "vite $v: over budget says why" "$out" 'FAIL: .*over budget'
  expect_match "vite $v: the build error names the budget" "$out" 'npsbundle: budget exceeded'
  [[ ! -e "$dir/dist/.vite" ]] && pass "vite $v: manifest removed after a failed check" || fail "vite $v: manifest left after a failed check"

  dir="$(app "$v" warn)"
  build "$dir" NPSB_BUDGET=tiny.budget.json NPSB_FAIL_ON_ERROR=false
  expect "vite $v: failOnError false: exit 0" "$code" 0
  expect_match "vite $v: failOnError false: failure printed" "$out" 'npsbundle: budget exceeded'

  dir="$(app "$v" manifest)"
  build "$dir" NPSB_MANIFEST=on NPSB_OUTDIR=out NPSB_BASE=/app/
  expect "vite $v: outDir out, base /app/: exit 0" "$code" 0
  expect_match "vite $v: the check reads build.outDir" "$out" "npsbundle check $dir/out"
  grep -q '"/app/assets/' "$dir/out/index.html" && [[ -f "$dir/out/.vite/manifest.json" ]] &&
    pass "vite $v: base honoured, the user's own manifest kept" || fail "vite $v: base or manifest wrong in out/"

  dir="$(app "$v" custom-manifest)"
  build "$dir" NPSB_MANIFEST=assets-manifest.json
  expect "vite $v: build.manifest with a file name: exit 0" "$code" 0
  expect_match "vite $v: the check reads the named manifest" "$out" 'lazyPages +About is lazy-loaded'
  [[ -f "$dir/dist/assets-manifest.json" ]] && pass "vite $v: the user's named manifest kept" || fail "vite $v: dist/assets-manifest.json missing"

  dir="$(app "$v" bad-budget)"
  echo '{"version": 1, "initial": {"max": "lots"}}' >"$dir/npsbundle.budget.json"
  build "$dir"
  [[ $code -ne 0 ]] && pass "vite $v: a malformed budget fails the build" || fail "vite $v: malformed budget exited 0"
  expect_match "vite $v: malformed budget: the binary's one-line error" "$out" 'npsbundle: error: [^ ]*npsbundle.budget.json'

  dir="$(app "$v" ssr)"
  out="$(cd "$dir" && nice -n 10 node node_modules/vite/bin/vite.js build --ssr src/entry-server.ts --outDir dist-ssr 2>&1)"
  expect "vite $v: SSR build: exit 0" "$?" 0
  expect_match "vite $v: SSR build skipped with one line" "$out" 'npsbundle: skipped (an SSR build|the server build)'

  dir="$(app "$v" lib)"
  build "$dir" NPSB_LIB=1
  expect "vite $v: library build: exit 0" "$code" 0
  expect_match "vite $v: library build skipped with one line" "$out" 'npsbundle: skipped a library-mode build'

  # Watch mode: every rebuild is checked, an over-budget one only warns.
  dir="$(app "$v" watch)"
  (cd "$dir" && NPSB_BUDGET=tiny.budget.json exec node node_modules/vite/bin/vite.js build --watch >"$work/watch-$v.log" 2>&1) &
  watch_pid=$!
  background_pids+=("$watch_pid")
  wait_for() {
    for _ in $(seq 150); do
      [[ $(grep -c 'npsbundle: budget exceeded' "$work/watch-$v.log") -ge $1 ]] && return 0
      sleep 0.2
    done
    return 1
  }
  if wait_for 1; then
    echo "export const edited = $RANDOM;" >>"$dir/src/pages/About.ts"
    if wait_for 2 && kill -0 "$watch_pid" 2>/dev/null; then
      pass "vite $v: watch mode checks each rebuild and keeps running"
    else
      fail "vite $v: watch mode: no second check, or it exited: $(tail -3 "$work/watch-$v.log")"
    fi
  else
    fail "vite $v: watch mode: no first check: $(tail -3 "$work/watch-$v.log")"
  fi
  kill "$watch_pid" 2>/dev/null
  wait "$watch_pid" 2>/dev/null
done

summary
