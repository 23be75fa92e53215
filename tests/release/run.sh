#!/usr/bin/env bash
# The portable binaries of scripts/release, tested as users get them:
#
#   tests/release/run.sh SOURCE_DIR [ORDINARY_BINARY]
#
# - both are fully static (no NEEDED entry, no program interpreter);
# - in an empty root that holds only the binary and a build (no /lib, no
#   /etc), `check --format json` on a folder and on a .tar.gz prints exactly
#   what the ordinary build prints outside it;
# - linux-arm64, under qemu-aarch64 in the same empty root, prints the same;
# - `serve --host 127.0.0.1` and `--host localhost` answer there, and a host
#   name that needs a resolver is refused with one line.
#
# ORDINARY_BINARY defaults to SOURCE_DIR/build/npsbundle. Exit 0 pass, 1
# fail, 77 skip (release binaries not built: run scripts/release).
set -uo pipefail
source_dir=$(cd "${1:?usage: run.sh SOURCE_DIR [ORDINARY_BINARY]}" && pwd)
ordinary=$(realpath -m "${2:-$source_dir/build/npsbundle}")
x64=$source_dir/build/release/linux-x64/npsbundle
arm64=$source_dir/build/release/linux-arm64/npsbundle

for binary in "$x64" "$arm64"; do
  [ -x "$binary" ] || { echo "skip: $binary not built (scripts/release --arch all)"; exit 77; }
done
qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64) ||
  { echo "skip: no qemu-aarch64 (apt-get install qemu-user-static)"; exit 77; }
[[ "$(file -L "$qemu")" =~ (statically|static-pie)\ linked ]] ||
  { echo "skip: $qemu is not static; the empty root needs qemu-user-static"; exit 77; }
for tool in readelf file curl tar; do
  command -v "$tool" >/dev/null || { echo "skip: $tool not installed"; exit 77; }
done
[ -x "$ordinary" ] || { echo "skip: ordinary build $ordinary missing"; exit 77; }

passed=0
failed=0
pass() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
expect() {  # expect NAME COMMAND...: passes when COMMAND succeeds
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# --- static: no dynamic section entries, no loader ---------------------------
is_static() {
  local binary=$1 machine=$2
  [[ "$(file -L "$binary")" == *"$machine"*"statically linked"* ]] || return 1
  ! readelf -d "$binary" | grep -q NEEDED || return 1
  ! readelf -lW "$binary" | grep -q INTERP
}
expect "linux-x64 binary is fully static" is_static "$x64" "x86-64"
expect "linux-arm64 binary is fully static" is_static "$arm64" "ARM aarch64"

# --- the empty root: the two binaries, qemu, one build and its .tar.gz -------
root=$work/root
mkdir -p "$root"
cp "$x64" "$root/npsbundle"
cp "$arm64" "$root/npsbundle-arm64"
cp "$qemu" "$root/qemu-aarch64"
cp -r "$source_dir/fixtures/builds/good" "$root/good"
tar -czf "$root/good.tar.gz" -C "$source_dir/fixtures/builds" good
# Root may chroot; anyone else enters a user namespace that maps them to root.
if [ "$(id -u)" -eq 0 ]; then jail=(chroot "$root"); else jail=(unshare -r --root="$root" --wd=/); fi

# The root really is empty: the ordinary, dynamically linked binary cannot start in it.
cp "$ordinary" "$root/npsbundle-dynamic"
expect "the ordinary binary cannot run in the empty root (control)" \
  bash -c '! "$@" /npsbundle-dynamic --version >/dev/null 2>&1' _ "${jail[@]}"
rm "$root/npsbundle-dynamic"

# --- check: byte-identical JSON ----------------------------------------------
same_report() {  # same_report INPUT COMMAND...: COMMAND's report equals the ordinary one
  local input=$1 expected=$work/expected.json actual=$work/actual.json
  shift
  (cd "$root" && "$ordinary" check "$input" --format json --no-cache >"$expected") || return 1
  "$@" check "$input" --format json --no-cache >"$actual" || return 1
  cmp -s "$expected" "$actual" || { diff "$expected" "$actual" | head -5; return 1; }
}
for input in good good.tar.gz; do
  expect "linux-x64 check $input in the empty root: same JSON as the ordinary build" \
    same_report "$input" "${jail[@]}" /npsbundle
  expect "linux-arm64 (qemu) check $input in the empty root: same JSON as the ordinary build" \
    same_report "$input" "${jail[@]}" /qemu-aarch64 /npsbundle-arm64
done

# --- serve in the empty root --------------------------------------------------
# start_server HOST COMMAND...: runs `COMMAND serve good --host HOST` in the
# root and waits for its address line.
start_server() {
  local host=$1 log=$work/serve.log
  shift
  : >"$log"
  "${jail[@]}" "$@" serve good --port 0 --quiet --host "$host" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    port=$(sed -n 's|^npsbundle serve: http://[^ ]*:\([0-9]*\)/.*|\1|p' "$log")
    [ -n "$port" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$log"
  return 1
}
stop_server() {  # SIGTERM is a clean stop: exit 0
  kill -TERM "$server_pid"
  wait "$server_pid"
  local status=$?
  server_pid=
  return "$status"
}
serves_files() {  # serves_files URL_HOST: index.html and a hashed chunk, byte for byte
  local file chunk
  chunk=$(cd "$root/good" && ls assets/*.js | head -1)
  for file in index.html "$chunk"; do
    curl -sf --max-time 10 "http://$1:$port/$file" -o "$work/got" || return 1
    cmp -s "$work/got" "$root/good/$file" || return 1
  done
}
serve_case() {  # serve_case NAME HOST URL_HOST COMMAND...
  local name=$1 host=$2 url_host=$3
  shift 3
  if ! start_server "$host" "$@"; then
    fail "$name: server did not start"
    return
  fi
  expect "$name: files served byte for byte" serves_files "$url_host"
  expect "$name: SIGTERM stops it with exit 0" stop_server
}
serve_case "linux-x64 serve --host 127.0.0.1" 127.0.0.1 127.0.0.1 /npsbundle
serve_case "linux-x64 serve --host localhost" localhost localhost /npsbundle
serve_case "linux-arm64 (qemu) serve --host localhost" localhost localhost /qemu-aarch64 /npsbundle-arm64

refuses_names() {
  local output status
  output=$("${jail[@]}" /npsbundle serve good --port 0 --host example.invalid 2>&1)
  status=$?
  echo "$output"
  [ "$status" -eq 2 ] && [ "$(echo "$output" | wc -l)" -eq 1 ] &&
    [[ "$output" == *"example.invalid"*"cannot resolve example.invalid"* ]]
}
expect "linux-x64 serve --host example.invalid: one-line error, exit 2" refuses_names

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
