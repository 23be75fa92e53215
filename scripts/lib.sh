# Shared by scripts/setup and scripts/test: package lists and the build step.

# Needed to build npsbundle (python3: the test checks that configure registers).
BUILD_PACKAGES=(g++ cmake make pkg-config libarchive-dev zlib1g-dev libbrotli-dev
  libsimdjson-dev libzstd-dev libcli11-dev libxxhash-dev libssl-dev libnghttp2-dev catch2 python3 ccache)
# Needed by the test suite: reference compressors, a real nginx and Caddy, a
# browser, openssl to make the certificate of the audit-over-TLS test.
TEST_PACKAGES=(brotli zstd curl nghttp2-client openssl python3-jsonschema nginx libnginx-mod-http-brotli-static caddy chromium)
# Node.js drives the browser tests; Debian's packages only where no node is
# on PATH (a node from elsewhere conflicts with Debian's npm).
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || TEST_PACKAGES+=(nodejs npm)
# Needed by scripts/fuzz: clang with libFuzzer and the sanitizer runtimes.
FUZZ_PACKAGES=(clang-14 libfuzzer-14-dev libclang-rt-14-dev)

# Installs the Debian packages that are not installed yet (apt-get update
# runs only when something is missing).
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "npsbundle setup: installing ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# Configures (once) and builds. Arguments: build folder (default build/),
# then extra CMake options for the first configure.
build_npsbundle() {
  local dir=${1:-build}
  shift || true
  local jobs
  jobs=$(nproc 2>/dev/null || echo 2)
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    # ccache, where installed, makes a rebuild of unchanged sources nearly free.
    local launcher=()
    command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" "$@" >&2
  fi
  cmake --build "$dir" -j"$jobs" >&2
}
