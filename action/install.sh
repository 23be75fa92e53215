#!/usr/bin/env bash
# Installs npsbundle for the action into PREFIX (PREFIX/node_modules/.bin/npsbundle).
# usage: install.sh SPEC PREFIX
#   SPEC: an npm version or tag (0.1.0, latest), or paths of package tarballs
#   (the npsbundle tarball and its platform tarball, space-separated).
set -euo pipefail
spec="$1"
prefix="$2"
mkdir -p "$prefix"
[[ -f "$prefix/package.json" ]] || echo '{"private": true}' >"$prefix/package.json"
packages=()
for word in $spec; do
  if [[ "$word" == *.tgz || "$word" == */* ]]; then
    [[ -f "$word" ]] || { echo "npsbundle action: error: version: $word: no such tarball" >&2; exit 2; }
    packages+=("$(realpath "$word")")
  else
    packages+=("npsbundle@$word")
  fi
done
[[ ${#packages[@]} -gt 0 ]] || { echo "npsbundle action: error: version is empty" >&2; exit 2; }
npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "${packages[@]}"
"$prefix/node_modules/.bin/npsbundle" --version
