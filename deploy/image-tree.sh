#!/usr/bin/env bash
# Assembles, in DEST, exactly the /app tree of the production image: the Dockerfile's build stage runs this
# and its runtime stage copies DEST as it is, so the tree checked here (test/image-tree.e2e-spec.ts) is the
# one deployed. Needs the dev dependencies installed (TypeScript) in this checkout.
#
#   bash deploy/image-tree.sh DEST
#
# DEST/dist holds only what src/main.ts and the reconcile CLI import (tsconfig.build.json): no bench,
# demo, devstack, chaos or sandbox code. DEST/node_modules holds the production dependencies only.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
DEST=${1:?usage: deploy/image-tree.sh DEST}
mkdir -p "$DEST"
DEST=$(cd -- "$DEST" && pwd)
[[ $DEST != "$ROOT" ]] || {
  echo 'deploy/image-tree.sh: DEST must not be the checkout' >&2
  exit 1
}
cd "$ROOT"
rm -rf -- "${DEST:?}"/{dist,node_modules,src,deploy,package.json,package-lock.json}

# Emit only: the types are checked by `npm run typecheck` in CI and by the full build beside this in the
# Dockerfile, and the emitted JavaScript is the same (--noCheck changes no output, only skips the checker's
# diagnostics). The incremental build record stays out of the image (it names every source path).
npx tsc -p tsconfig.build.json --noCheck --outDir "$DEST/dist" --tsBuildInfoFile "$DEST/.tsbuildinfo"
rm -f -- "$DEST/.tsbuildinfo"

cp package.json package-lock.json "$DEST/"
(cd "$DEST" && npm ci --omit=dev --prefer-offline --no-audit --no-fund --loglevel=error)

# Read at run time from the source tree (src/database/migrate.ts).
mkdir -p "$DEST/src/database" "$DEST/deploy"
cp -R src/database/migrations "$DEST/src/database/"
# The support console page is read from beside its compiled controller (dist/support).
bash deploy/console-assets.sh "$DEST/dist"
# docker-compose.yml's one-shot topic service runs these with the image's kafkajs.
cp deploy/topics.js deploy/kafka-ready.js "$DEST/deploy/"
