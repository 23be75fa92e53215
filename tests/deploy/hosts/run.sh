#!/usr/bin/env bash
# deploy-config against the hosts' own tools, installed from npm into the
# tests' cache (tests/deploy/hosts/package.json, locked):
#   wrangler: `wrangler pages dev` serving fixtures with the generated
#             _headers/_redirects/404.html, compared with `npsbundle serve`;
#   vercel:   the generated vercel.json against @vercel/routing-utils'
#             schemas and route compiler.
# usage: run.sh NPSBUNDLE_BINARY SOURCE_DIR wrangler|vercel. Exit 77 without node.
set -uo pipefail
binary="$1"
source_dir="$2"
suite="$3"
here="$source_dir/tests/deploy/hosts"
# shellcheck source=../../npm/lib.sh
source "$source_dir/tests/npm/lib.sh"
require_node
modules_dir="$(test_cache "$source_dir")/deploy-hosts"
install_locked "$modules_dir" "$here" || { echo "FAIL: npm install"; exit 1; }
modules="$modules_dir/node_modules"
make_work
# wrangler's bin starts the CLI as a child process, which starts workerd: it
# runs in a session of its own (setsid), and the whole group is stopped.
trap 'for pid in "${background_pids[@]}"; do kill -- -"$pid" 2>/dev/null || kill "$pid" 2>/dev/null; done; rm -rf "$work"' EXIT

if [[ "$suite" == vercel ]]; then
  for fixture in "builds/good --budget nps:good" "apps/pwa/dist:pwa" "builds/multi-page --base /app/:base"; do
    args="${fixture%%:*}"
    name="${fixture##*:}"
    # shellcheck disable=SC2086
    "$binary" deploy-config "$source_dir/fixtures/"$args --target vercel -o "$work/$name.json" 2>/dev/null ||
      fail "deploy-config $name"
    specs+=("$work/$name.json::$here/vercel-$name.json")
  done
  tally "$(node "$here/vercel.mjs" "$modules" "${specs[@]}")"
  # The check can fail: a rule Vercel's schema refuses, and overlapping caching.
  echo '{"headers": [{"src": "/(.*)", "headers": []}], "rewrites": []}' >"$work/bad.json"
  echo '[{"path": "/"}]' >"$work/bad-spec.json"
  if node "$here/vercel.mjs" "$modules" "$work/bad.json::$work/bad-spec.json" >/dev/null 2>&1; then
    fail "a vercel.json with \"src\" passed the schema"
  else
    pass "a vercel.json with \"src\" fails the schema"
  fi
  summary
  exit
fi

# wrangler: each fixture, with its routes.
pages_dev() {  # DIST PORT: starts wrangler pages dev in the background
  HOME="$work/home" XDG_CONFIG_HOME="$work/home" WRANGLER_SEND_METRICS=false CI=1 \
    setsid "$modules/.bin/wrangler" pages dev "$1" --ip 127.0.0.1 --port "$2" --compatibility-date 2024-01-01 \
    >"$work/wrangler-$2.log" 2>&1 &
  background_pids+=($!)
}
wait_http() {  # PORT: up to 60 s
  for _ in $(seq 600); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done
  return 1
}
serve_port() {  # LOG: the port of `serve --port 0`
  for _ in $(seq 600); do
    port=$(grep -o 'http://127.0.0.1:[0-9]*' "$1" 2>/dev/null | head -1 | cut -d: -f3)
    [[ -n "$port" ]] && { echo "$port"; return 0; }
    sleep 0.1
  done
  return 1
}
# DIR:FLAGS:NAVIGATIONS:the audit checks that do not pass there (below).
no_sw="sw-revalidated:skip vary:fail deep-link:fail"
for fixture in "builds/good:--budget nps:/oracle /oracle/ /settings:$no_sw" "apps/pwa/dist:::vary:fail deep-link:fail" \
               "apps/vue-admin/dist:::$no_sw"; do
  IFS=: read -r dir flags navigations audit_not_passed <<<"$fixture"
  name="$(echo "$dir" | tr / -)"
  dist="$work/$name/dist"
  mkdir -p "$work/$name" && cp -r "$source_dir/fixtures/$dir" "$dist"
  # shellcheck disable=SC2086
  "$binary" deploy-config "$dist" --target cloudflare $flags 2>"$work/$name.err" || fail "deploy-config $name: $(cat "$work/$name.err")"
  port=$(free_port)
  pages_dev "$dist" "$port"
  # shellcheck disable=SC2086
  "$binary" serve "$dist" --port 0 --precompress=wait $flags >"$work/$name-serve.log" 2>&1 &
  background_pids+=($!)
  if ! wait_http "$port"; then fail "$name: wrangler pages dev did not start: $(tail -5 "$work/wrangler-$port.log")"; continue; fi
  sport=$(serve_port "$work/$name-serve.log") || { fail "$name: serve did not start"; continue; }
  # shellcheck disable=SC2086
  tally "$(node "$here/wrangler.mjs" "$port" "$sport" "$dist" $navigations)"
  # The audit a user would run. wrangler compresses by its own rules (brotli
  # and gzip on the fly, never Vary: Accept-Encoding), which prove nothing
  # about Cloudflare's edge (README parity matrix, note 2), and audit's
  # made-up client route is a 404 on Pages by design (note 4): the exact set
  # of checks that do not pass is asserted, so any change is noticed.
  # shellcheck disable=SC2086
  "$binary" audit "http://127.0.0.1:$port/" --build "$source_dir/fixtures/$dir" --format json $flags \
    >"$work/$name-audit.json" 2>"$work/$name-audit.err"
  code=$?
  not_passed="$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.checks.filter((c) => c.status !== "pass").map((c) => `${c.name}:${c.status}`).join(" "));
  ' "$work/$name-audit.json" 2>&1)"
  [[ $code == 1 ]] || cat "$work/$name-audit.err" >&2
  expect "$name: audit against wrangler exits 1" "$code" 1
  expect "$name: the audit checks wrangler cannot pass" "$not_passed" "$audit_not_passed"
done
summary
