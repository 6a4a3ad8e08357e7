#!/usr/bin/env bash
# Copies the support console's page (html, css, scripts) beside its compiled controller, where
# src/support/console.controller.ts reads it at run time: tsc copies only .ts output. Used by both builds
# and by deploy/image-tree.sh. Usage: deploy/console-assets.sh [DIST]   (default: dist)
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
DIST=${1:-$ROOT/dist}
mkdir -p "$DIST/support"
cp "$ROOT"/src/support/console.html "$ROOT"/src/support/console.css "$ROOT"/src/support/console*.js "$DIST/support/"
