#!/usr/bin/env bash
# Makes sure `prometheus` and `promtool` (Debian's prometheus package) are on this machine, for the
# alert-rule unit tests and the dashboard-against-live-Prometheus test. Idempotent and quiet when they
# already are; `npm test` (deploy/test.sh) calls it, so a fresh CI machine gets them.
#
# The package's own service is stopped and disabled: it would hold :9090 and scrape nothing of ours;
# the tests and `npm run demo -- --prometheus` start their own Prometheus on a free port.
set -euo pipefail

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  printf 'prometheus and promtool are missing and this machine has no apt-get: install Prometheus 2.x so both are on PATH\n' >&2
  exit 1
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || {
    printf 'prometheus is missing; installing it needs root (sudo not found): apt-get install prometheus\n' >&2
    exit 1
  }
  SUDO=(sudo -n)
fi

echo "== installing Debian's prometheus package (prometheus, promtool)"
export DEBIAN_FRONTEND=noninteractive
# Another apt run (a second job on the same machine) holds the lock for a while: wait for it.
apt_get() { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq "$@"; }
if ! apt_get install -y --no-install-recommends prometheus >/dev/null; then
  apt_get update >/dev/null
  apt_get install -y --no-install-recommends prometheus >/dev/null
fi

# Where a service manager runs, the package started (or will start at boot) its own server on :9090.
if command -v systemctl >/dev/null 2>&1 && systemctl list-unit-files prometheus.service >/dev/null 2>&1; then
  "${SUDO[@]}" systemctl disable --now prometheus.service >/dev/null 2>&1 || true
fi
if [[ -x /etc/init.d/prometheus ]]; then
  "${SUDO[@]}" /etc/init.d/prometheus stop >/dev/null 2>&1 || true
  command -v update-rc.d >/dev/null 2>&1 && { "${SUDO[@]}" update-rc.d prometheus disable >/dev/null 2>&1 || true; }
fi

command -v promtool >/dev/null 2>&1 || {
  printf 'installed the prometheus package but promtool is still not on PATH\n' >&2
  exit 1
}
