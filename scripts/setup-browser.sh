#!/usr/bin/env bash
# Installs a headless browser and its WebDriver from Debian's packages: chromium and
# chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver), for the explorer's browser
# tests (tests/test_explore_browser.py; they skip without them). Nothing is downloaded at
# test time. Safe to run again: it does nothing when both are present.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  chromium chromium-driver >/dev/null
