#!/usr/bin/env bash
# FerretDB (a MongoDB wire-protocol server with an embedded SQLite backend) for tests of the MongoDB
# read-store adapter on machines where MongoDB itself cannot run.
#
#   scripts/ferretdb.sh start   installs FerretDB (pinned) into .tools/bin when missing, starts it on
#                               127.0.0.1 with its data in a temp folder, waits until it answers, and
#                               prints MONGODB_URI=mongodb://… as its last line
#   scripts/ferretdb.sh stop    stops the instance started here and removes its data
#
# Needs Go (the module proxy) for the first install. FerretDB is not MongoDB: see
# docs/ferretdb-compatibility.md for what differs and how the adapter copes.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="v1.24.2"
TOOLS="$PWD/.tools"
BIN="$TOOLS/bin/ferretdb"
RUN_DIR="${FERRETDB_RUN_DIR:-${TMPDIR:-/tmp}/audit-trail-ferretdb-${FERRETDB_PORT:-27027}}"
PORT="${FERRETDB_PORT:-27027}"

installed_version() {
  [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | sed -n 's/^version: //p'
}

install() {
  [ "$(installed_version)" = "$VERSION" ] && return 0
  command -v go >/dev/null 2>&1 || { echo "ferretdb: Go is not installed; cannot install FerretDB $VERSION" >&2; return 3; }
  echo "ferretdb: installing FerretDB $VERSION with Go (first time only)" >&2
  go mod download "github.com/FerretDB/FerretDB@$VERSION" >&2
  local src build
  src="$(go mod download -json "github.com/FerretDB/FerretDB@$VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  build="$(mktemp -d)"
  cp -r "$src/." "$build/"
  chmod -R u+w "$build"
  # A plain `go install` panics at start: FerretDB's release tooling writes build/version/version.txt,
  # which the module archive lacks. Building the same pinned module source with that file fixes it.
  echo "$VERSION" > "$build/build/version/version.txt"
  mkdir -p "$TOOLS/bin"
  (cd "$build" && go build -o "$BIN" ./cmd/ferretdb) >&2
  rm -rf "$build"
}

start() {
  install
  stop_quietly
  mkdir -p "$RUN_DIR/data"
  "$BIN" --handler=sqlite --sqlite-url="file:$RUN_DIR/data/" --listen-addr="127.0.0.1:$PORT" \
    --debug-addr="127.0.0.1:0" --telemetry=disable --log-level=ERROR --state-dir="$RUN_DIR" \
    >"$RUN_DIR/ferretdb.log" 2>&1 &
  echo $! >"$RUN_DIR/pid"
  for _ in $(seq 1 100); do
    if node -e "require('net').connect($PORT,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" 2>/dev/null; then
      echo "MONGODB_URI=mongodb://127.0.0.1:$PORT/audit_trail_test"
      return 0
    fi
    kill -0 "$(cat "$RUN_DIR/pid")" 2>/dev/null || break
    sleep 0.2
  done
  echo "ferretdb: did not start; log follows" >&2
  cat "$RUN_DIR/ferretdb.log" >&2
  return 1
}

stop_quietly() {
  if [ -f "$RUN_DIR/pid" ]; then
    kill "$(cat "$RUN_DIR/pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$(cat "$RUN_DIR/pid")" 2>/dev/null || break; sleep 0.1; done
    rm -f "$RUN_DIR/pid"
  fi
  rm -rf "$RUN_DIR/data"
}

case "${1:-}" in
  start) start ;;
  stop) stop_quietly ;;
  install) install ;;
  *) echo "usage: scripts/ferretdb.sh start|stop|install" >&2; exit 2 ;;
esac
