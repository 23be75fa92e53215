# Helpers shared by tests/npm, tests/vite_plugin and tests/action (sourced).
# Each test script counts its checks and ends with `N passed, N failed`.
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "ok: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1" >&2; }
# expect NAME ACTUAL EXPECTED
expect() { if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi; }
# expect_match NAME TEXT REGEX
expect_match() { if [[ "$2" =~ $3 ]]; then pass "$1"; else fail "$1: '$2' does not match /$3/"; fi; }
summary() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}

require_node() {
  command -v node >/dev/null && command -v npm >/dev/null || { echo "skip: node and npm are needed"; exit 77; }
}

# The npm cache of the tests: outside git, reused between runs.
test_cache() { echo "${NPSBUNDLE_TEST_CACHE:-$1/build/test-npm}"; }

# install_locked DIR SPEC_DIR: `npm ci` of SPEC_DIR's package.json and lock
# into DIR, again only when the lock changed.
install_locked() {
  local dir="$1" spec="$2"
  mkdir -p "$dir"
  if ! cmp -s "$spec/package-lock.json" "$dir/.installed-lock.json" || [[ ! -d "$dir/node_modules" ]]; then
    cp "$spec/package.json" "$spec/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
    cp "$spec/package-lock.json" "$dir/.installed-lock.json"
  fi
}

# make_work: a temporary folder $work, removed on exit after the processes in
# background_pids (registries, servers, watchers) are stopped.
background_pids=()
make_work() {
  work="$(mktemp -d)"
  trap 'for pid in "${background_pids[@]}"; do kill "$pid" 2>/dev/null; done; rm -rf "$work"' EXIT
}

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

# pack_tarballs BINARY SOURCE_DIR OUT: the tarballs of npm/pack, at the
# binary's own version. Sets NPSBUNDLE_VERSION.
pack_tarballs() {
  NPSBUNDLE_VERSION="$("$1" --version | sed 's/^npsbundle //')"
  "$2/npm/pack" --x64 "$1" --version "$NPSBUNDLE_VERSION" --out "$3" 2>/dev/null >/dev/null
}

# tally OUTPUT: adds the "ok: " and "FAIL: " lines of a helper script to the counts.
tally() {
  local line
  while IFS= read -r line; do
    case "$line" in
      ok:*) pass "${line#ok: }" ;;
      FAIL:*) fail "${line#FAIL: }" ;;
      *) echo "$line" ;;
    esac
  done <<<"$1"
}
