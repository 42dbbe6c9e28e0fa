#!/usr/bin/env bash
# Installs what the service and its tests need on a fresh Debian/Ubuntu machine, then builds.
#   - Chromium from the OS packages (report PDFs; puppeteer uses /usr/bin/chromium when present and
#     then skips its own browser download, see .puppeteerrc.cjs). Elsewhere puppeteer downloads its own.
#   - npm dependencies exactly as locked (better-sqlite3 compiles from source if no prebuilt binary fits).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing Debian chromium" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

npm ci --no-audit --no-fund
npm run build
