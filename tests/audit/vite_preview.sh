#!/usr/bin/env bash
# `npsbundle audit` against `vite preview` (Vite 8 from
# tests/vite_plugin/vite8/package-lock.json, installed once into the npm test
# cache) serving the reference build: a server npsbundle did not configure,
# whose exact set of failing checks is asserted (exit 1).
# usage: vite_preview.sh NPSBUNDLE_BINARY SOURCE_DIR
set -uo pipefail
binary="$(realpath "$1")"
source_dir="$(realpath "$2")"
# shellcheck source=../npm/lib.sh
source "$source_dir/tests/npm/lib.sh"
require_node
cache="$(test_cache "$source_dir")"
make_work
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false NO_COLOR=1

install_locked "$cache/vite8" "$source_dir/tests/vite_plugin/vite8" || { fail "vite 8: npm ci"; summary; exit 1; }
dist="$source_dir/fixtures/builds/good"
mkdir -p "$work/app"
ln -s "$cache/vite8/node_modules" "$work/app/node_modules"

# A port free a moment ago; --strictPort makes a taken one an error, so retry.
for attempt in 1 2 3 4 5; do
  port="$(free_port)"
  (cd "$work/app" && exec node node_modules/vite/bin/vite.js preview --outDir "$dist" --host 127.0.0.1 \
     --port "$port" --strictPort >"$work/preview.log" 2>&1) &
  pid=$!
  background_pids+=("$pid")
  for _ in $(seq 1 200); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
done
curl -s -o /dev/null "http://127.0.0.1:$port/" || { cat "$work/preview.log" >&2; fail "vite preview did not start"; summary; exit 1; }

out="$("$binary" audit "http://127.0.0.1:$port/" --build "$dist")"
code=$?
echo "$out"
expect "vite preview: audit exits 1" "$code" 1
failing="$(sed -n 's/^FAIL  \([a-z0-9-]*\) .*/\1/p' <<< "$out" | tr '\n' ' ')"
# Vite 8's preview: no-cache on everything (hashed chunks too), gzip made on
# the fly with "Vary: Origin" but not Accept-Encoding, no brotli, its SPA
# fallback answers a missing /assets/*.js with index.html, no Link hints.
expect "vite preview: the failing checks" "$failing" "hashed-immutable brotli vary asset-404 preload-hints "
expect_match "vite preview: the missing asset gets HTML" "$out" 'Zz9Xy8Wq.js: 200 text/html \(the SPA fallback answers a missing asset\)'
# What preview gets right: HTML revalidated, gzip, deep links, ETag/304.
for check in chunks-identical html-revalidated gzip deep-link etag-304; do
  expect_match "vite preview: $check passes" "$out" $'\nPASS  '"$check "
done
summary
