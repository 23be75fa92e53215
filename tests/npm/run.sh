#!/usr/bin/env bash
# The npm packages end to end: packs the tarballs, publishes them to a local
# registry (verdaccio on loopback), installs npsbundle with npm and pnpm in
# fresh projects and checks the command, the Node API and the messages of a
# missing or wrong platform binary.
# usage: run.sh NPSBUNDLE_BINARY SOURCE_DIR
# Tools (verdaccio, pnpm, typescript) come from tests/npm/package-lock.json,
# installed once into $NPSBUNDLE_TEST_CACHE (default SOURCE_DIR/build/test-npm).
set -uo pipefail
binary="$(realpath "$1")"
source_dir="$(realpath "$2")"
here="$source_dir/tests/npm"
# shellcheck source=lib.sh
source "$here/lib.sh"
require_node

tools="$(test_cache "$source_dir")/npm-tools"
install_locked "$tools" "$here" || { echo "could not install the test tools" >&2; exit 1; }
bin="$tools/node_modules/.bin"

make_work
export XDG_CACHE_HOME="$work/xdg"
export npm_config_cache="$work/npm-cache" npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
fixtures="$source_dir/fixtures/builds"

pack_tarballs "$binary" "$source_dir" "$work/tarballs" || { fail "npm/pack"; summary; exit 1; }
version="$NPSBUNDLE_VERSION"
meta_tgz="$work/tarballs/npsbundle-$version.tgz"
x64_tgz="$work/tarballs/npsbundle-linux-x64-$version.tgz"
[[ -f "$meta_tgz" && -f "$x64_tgz" ]] && pass "npm/pack made both tarballs" || fail "npm/pack made no tarballs"
expect "meta package lists the platform package at the exact version" \
  "$(tar -xOzf "$meta_tgz" package/package.json | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).optionalDependencies["@npsbundle/linux-x64"])')" "$version"
expect "platform package: os, cpu, no libc" \
  "$(tar -xOzf "$x64_tgz" package/package.json | node -e 'const p = JSON.parse(require("fs").readFileSync(0)); console.log(p.os + "/" + p.cpu + "/" + (p.libc || "none"))')" "linux/x64/none"

# The registry: no uplink, so installs can only get what this test publishes.
port="$(free_port)"
registry="http://127.0.0.1:$port"
mkdir -p "$work/registry"
cp "$here/verdaccio.yaml" "$work/registry/config.yaml"
# From its own folder: verdaccio keeps a database file relative to the working directory.
(cd "$work/registry" && exec node "$tools/node_modules/verdaccio/bin/verdaccio" --config config.yaml \
  --listen "127.0.0.1:$port" >log 2>&1) &
background_pids+=($!)
for _ in $(seq 100); do
  curl -sf "$registry/-/ping" >/dev/null && break
  sleep 0.2
done
curl -sf "$registry/-/ping" >/dev/null || { fail "verdaccio did not start: $(tail -3 "$work/registry/log")"; summary; exit 1; }
export npm_config_registry="$registry"
echo "//127.0.0.1:$port/:_authToken=test" >"$work/npmrc"
export npm_config_userconfig="$work/npmrc"
for tgz in "$x64_tgz" "$meta_tgz"; do
  npm publish "$tgz" --loglevel=error >/dev/null 2>"$work/publish.err" && pass "publish $(basename "$tgz")" ||
    fail "publish $(basename "$tgz"): $(tail -1 "$work/publish.err")"
done

# same_as_binary NAME DIR CMD...: CMD (run in DIR) prints and exits exactly as the binary does.
same_as_binary() {
  local name="$1" dir="$2" shim_out direct_out shim_code direct_code
  shift 2
  for args in "check $fixtures/good" "check $fixtures/bloated" "check $fixtures/good --format markdown" "check $fixtures/missing-build" "--version"; do
    # A first run fills the size cache, whose hit count the text report prints.
    # shellcheck disable=SC2086
    (cd "$dir" && "$binary" $args >/dev/null 2>&1)
    # shellcheck disable=SC2086
    shim_out="$(cd "$dir" && "$@" $args 2>&1)"; shim_code=$?
    # shellcheck disable=SC2086
    direct_out="$(cd "$dir" && "$binary" $args 2>&1)"; direct_code=$?
    if [[ "$shim_out" == "$direct_out" && $shim_code == "$direct_code" ]]; then
      pass "$name: '${args/$fixtures\//}' identical to the binary (exit $direct_code)"
    else
      fail "$name: '$args' differs: exit $shim_code vs $direct_code"
      diff <(echo "$shim_out") <(echo "$direct_out") | head -5 >&2
    fi
  done
}

# npm: optionalDependencies + os/cpu pick the platform package.
app="$work/app-npm"
mkdir -p "$app" && (cd "$app" && npm init -y >/dev/null)
start=$(date +%s%N)
(cd "$app" && npm install -D npsbundle --loglevel=error >/dev/null 2>"$work/install.err")
expect "npm install npsbundle" "$?" 0
echo "install time (npm, 2 tarballs from the local registry): $(( ($(date +%s%N) - start) / 1000000 )) ms"
[[ -x "$app/node_modules/@npsbundle/linux-x64/bin/npsbundle" ]] && pass "npm installed @npsbundle/linux-x64" ||
  fail "npm did not install @npsbundle/linux-x64: $(cat "$work/install.err")"
same_as_binary "npx" "$app" npx --no-install npsbundle
cp "$here/api.mjs" "$here/step.mjs" "$app/"
tally "$(cd "$app" && node api.mjs "$binary" "$fixtures")"
tally "$(node "$here/signals.mjs" "$app/node_modules/.bin/npsbundle" "$work")"

# The types compile in a TypeScript project that uses them.
cp "$here/consumer.ts" "$app/"
tsc_flags=(--noEmit --strict --module nodenext --moduleResolution nodenext --target es2022 --lib es2022)
if (cd "$app" && "$bin/tsc" "${tsc_flags[@]}" consumer.ts >"$work/tsc.out" 2>&1); then
  pass "index.d.ts compiles with tsc --strict"
else
  fail "tsc: $(head -3 "$work/tsc.out")"
fi
# ... and they do type the report: a wrong use must not compile.
sed 's/const gzip: number = report.entries\[0\].total.gzip;/const gzip: string = report.entries[0].total.gzip;/' \
  "$here/consumer.ts" >"$app/misuse.ts"
out="$(cd "$app" && "$bin/tsc" "${tsc_flags[@]}" misuse.ts 2>&1)"
expect_match "tsc rejects a size used as a string" "$out" "misuse.ts.*error TS2322: Type 'number' is not assignable to type 'string'"


# pnpm: the same, with its own layout (symlinked .pnpm store).
app_pnpm="$work/app-pnpm"
mkdir -p "$app_pnpm" && echo '{"name": "app-pnpm", "private": true}' >"$app_pnpm/package.json"
start=$(date +%s%N)
(cd "$app_pnpm" && "$bin/pnpm" add -D npsbundle --registry "$registry" --store-dir "$work/pnpm-store" >/dev/null 2>"$work/pnpm.err")
expect "pnpm add npsbundle" "$?" 0
echo "install time (pnpm): $(( ($(date +%s%N) - start) / 1000000 )) ms"
same_as_binary "pnpm exec" "$app_pnpm" "$bin/pnpm" exec npsbundle

# A lock file made on another CPU: npm skips the x64 package (npm/cli#4828).
app_foreign="$work/app-foreign"
mkdir -p "$app_foreign" && (cd "$app_foreign" && npm init -y >/dev/null)
(cd "$app_foreign" && npm install -D npsbundle --cpu arm64 --loglevel=error >/dev/null 2>&1)
[[ ! -e "$app_foreign/node_modules/@npsbundle/linux-x64" ]] && pass "npm --cpu arm64 skips @npsbundle/linux-x64" ||
  rm -rf "$app_foreign/node_modules/@npsbundle/linux-x64"
out="$(cd "$app_foreign" && npx --no-install npsbundle check "$fixtures/good" 2>&1)"
expect "missing platform package: exit 71" "$?" 71
expect "missing platform package: one line" "$(wc -l <<<"$out")" 1
expect_match "missing platform package: names what to install" "$out" "npm install --save-optional @npsbundle/linux-x64@$version"
out="$(node -e 'Object.defineProperty(process, "platform", { value: "darwin" }); require(process.argv[1])' \
  "$app/node_modules/npsbundle/bin/npsbundle.js" 2>&1)"
expect "unsupported OS: exit 71" "$?" 71
expect_match "unsupported OS: one line, builds planned" "$out" '^npsbundle: error: no binary for darwin-x64: .*macOS and Windows builds are planned\)$'

# A binary of another version than the package: exit 72, one line.
platform_bin="$app/node_modules/@npsbundle/linux-x64/bin/npsbundle"
printf '#!/bin/sh\necho "npsbundle 9.9.9"\n' >"$platform_bin"
out="$(cd "$app" && npx --no-install npsbundle check "$fixtures/good" 2>&1)"
expect "version mismatch: exit 72" "$?" 72
expect_match "version mismatch: one line naming both versions" "$out" "^npsbundle: error: .* is version 9\.9\.9 but the npsbundle package is $version; reinstall npsbundle$"

summary
