#!/usr/bin/env bash
# Brings the project's own Node (the version in .nvmrc) when the machine's is another major: the official
# binary published on the npm registry as node-<os>-<cpu>, checked against the integrity pinned below and
# cached in ~/.cache/alertline/node-<version>. Any Node with npm on the machine can bootstrap it (Node 20
# on the CI machine); after that every script, role and test runs on the pinned LTS.
#
#   bash deploy/node.sh                 # prints the bin directory to put first in PATH
#   bash deploy/node.sh <cmd> [args]    # runs cmd with that directory first in PATH
#   source deploy/node.sh               # puts it first in this shell's PATH
#
# ALERTLINE_CACHE (~/.cache/alertline) moves the cache. A node of the pinned major already on PATH (nvm,
# the node:24 image) is used as it is.

# Pinned per platform: npm checks the tarball against the registry's own record, this checks the record.
_alertline_node_integrity() {
  case "$1" in
    24.22.3/linux-x64) echo 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' ;;
    24.22.3/linux-arm64) echo 'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==' ;;
    *) return 1 ;;
  esac
}

_alertline_node_platform() {
  local os cpu
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) os=unknown ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) cpu=x64 ;;
    aarch64 | arm64) cpu=arm64 ;;
    *) cpu=unknown ;;
  esac
  echo "$os-$cpu"
}

# Prints the bin directory holding the pinned Node, installing it first when needed.
_alertline_node_bin() {
  local root version platform dir integrity tmp tarball actual current
  root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd) || return 1
  version=$(tr -d ' \nv' <"$root/.nvmrc") || return 1
  current=$(command -v node >/dev/null 2>&1 && node -p 'process.versions.node' 2>/dev/null || true)
  if [[ ${current%%.*} == "${version%%.*}" ]]; then
    dirname -- "$(command -v node)"
    return 0
  fi
  dir=${ALERTLINE_CACHE:-$HOME/.cache/alertline}/node-$version
  if [[ -x $dir/bin/node ]] && "$dir/bin/node" -e '' 2>/dev/null; then
    echo "$dir/bin"
    return 0
  fi
  platform=$(_alertline_node_platform)
  if ! integrity=$(_alertline_node_integrity "$version/$platform"); then
    printf 'deploy/node.sh: no Node %s binary for %s on the npm registry; install Node %s yourself (nvm reads .nvmrc)\n' \
      "$version" "$platform" "${version%%.*}" >&2
    return 1
  fi
  if ! command -v npm >/dev/null 2>&1; then
    printf 'deploy/node.sh: npm is needed once to fetch Node %s (any Node with npm will do)\n' "$version" >&2
    return 1
  fi
  printf 'deploy/node.sh: fetching Node %s (node-%s) from the npm registry into %s\n' "$version" "$platform" "$dir" >&2
  tmp=$(mktemp -d) || return 1
  if ! (cd "$tmp" && npm pack --silent "node-$platform@$version" >/dev/null); then
    rm -rf -- "$tmp"
    printf 'deploy/node.sh: npm pack node-%s@%s failed\n' "$platform" "$version" >&2
    return 1
  fi
  tarball=$tmp/node-$platform-$version.tgz
  actual=$(node -e 'const c = require("crypto"), fs = require("fs");
    process.stdout.write("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"));' "$tarball")
  if [[ $actual != "$integrity" ]]; then
    rm -rf -- "$tmp"
    printf 'deploy/node.sh: node-%s@%s has integrity %s, expected %s\n' "$platform" "$version" "$actual" "$integrity" >&2
    return 1
  fi
  # Unpacked beside the cache and renamed into place, so an interrupted run never leaves half a Node.
  mkdir -p "$tmp/unpacked" "$(dirname -- "$dir")" &&
    tar -xzf "$tarball" -C "$tmp/unpacked" --strip-components=1 &&
    rm -rf -- "$dir.partial" && mv -- "$tmp/unpacked" "$dir.partial" &&
    rm -rf -- "$dir" && mv -- "$dir.partial" "$dir" || {
    rm -rf -- "$tmp"
    return 1
  }
  rm -rf -- "$tmp"
  "$dir/bin/node" -e '' || return 1
  echo "$dir/bin"
}

if [[ ${BASH_SOURCE[0]} != "$0" ]]; then
  # Sourced: only PATH changes, and a failure is the caller's to handle (it may run under set -e).
  if _alertline_node_bin_dir=$(_alertline_node_bin); then
    [[ $(command -v node) == "$_alertline_node_bin_dir/node" ]] || export PATH="$_alertline_node_bin_dir:$PATH"
    unset _alertline_node_bin_dir
  else
    unset _alertline_node_bin_dir
    return 1
  fi
else
  set -euo pipefail
  bin=$(_alertline_node_bin)
  if [[ $# -eq 0 ]]; then
    echo "$bin"
  else
    PATH="$bin:$PATH" exec "$@"
  fi
fi
