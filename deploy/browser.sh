#!/usr/bin/env bash
# The console's browser test drives Debian's chromium through playwright-core (no browser downloaded by
# Playwright), with fonts for the page's text and its •, → glyphs. CI starts from a fresh machine, so this
# installs them when missing; quiet, and a no-op when chromium is there.
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing Debian's chromium for the console browser test" >&2
export DEBIAN_FRONTEND=noninteractive
# Another apt run may hold the lock (a parallel job installing its own packages): wait for it, not fail.
apt=(apt-get -qq -o DPkg::Lock::Timeout=300)
$SUDO "${apt[@]}" update >/dev/null
$SUDO "${apt[@]}" install -y --no-install-recommends chromium fonts-dejavu-core fonts-liberation >/dev/null
