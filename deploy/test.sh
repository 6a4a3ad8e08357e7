#!/usr/bin/env bash
# `npm test`: starts what the tests need (Kafka, Redis, PostgreSQL; installs Prometheus's binaries when
# missing), builds the app the end-to-end tests run as processes, then runs the three tiers: unit,
# integration, end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
# The project's Node (.nvmrc) first in PATH for everything below, whatever Node started `npm test`.
source deploy/node.sh

bash deploy/infra.sh up
bash deploy/browser.sh
# prometheus and promtool: the alert-rule unit tests and the dashboard test run them.
bash deploy/prometheus-tools.sh
npm run -s build
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/alertline_test}"
npx jest --selectProjects unit integration e2e --runInBand "$@"
