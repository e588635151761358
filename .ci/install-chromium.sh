#!/usr/bin/env bash
# Installs Debian's chromium for the dashboard's browser test (puppeteer-core drives it; no browser download).
# Guarded like the Docker engine's install: only as root with apt-get, and only when no Chromium is there yet;
# otherwise the test skips with one line saying why.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: not root or no apt-get; the dashboard's browser test will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || echo "install-chromium: apt-get update failed; trying the install anyway" >&2
apt-get install -y -qq chromium >/dev/null || echo "install-chromium: could not install chromium; the browser test will skip" >&2
