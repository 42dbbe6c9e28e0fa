#!/usr/bin/env bash
# Installs what the service and its tests need on a fresh Debian/Ubuntu machine, then builds.
#   - Chromium from the OS packages (report PDFs; puppeteer uses /usr/bin/chromium when present and
#     then skips its own browser download, see .puppeteerrc.cjs). Elsewhere puppeteer downloads its own.
#   - poppler-utils (pdftotext, pdftoppm): the tests read the rendered PDFs back.
#   - npm dependencies exactly as locked (better-sqlite3 compiles from source if no prebuilt binary fits).
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium renders report PDFs; poppler-utils (pdftotext, pdftoppm) lets the tests read them back.
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
if [ -n "$missing" ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing Debian$missing" >&2
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

npm ci --no-audit --no-fund
npm run build
