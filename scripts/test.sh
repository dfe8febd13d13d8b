#!/usr/bin/env bash
# `make test`: lint, type-check, then the whole suite against a throwaway SecantusDB
# (or against a real MongoDB when MONGODB_URI is set).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv

echo "==> ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
echo "==> mypy (strict on api/ and domains/)"
"$VENV/bin/mypy"

mongo_pid=
cleanup() {
  if [ -n "$mongo_pid" ]; then kill -TERM "$mongo_pid" 2>/dev/null || true; wait "$mongo_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${MONGODB_URI:-}" ]; then
  port=$("$VENV/bin/python" scripts/mongo_server.py free-port)
  mkdir -p var
  echo "==> Starting a throwaway SecantusDB on 127.0.0.1:$port"
  "$VENV/bin/python" scripts/mongo_server.py exec --port "$port" --storage :memory: --test-commands \
    >var/secantusd-test.log 2>&1 &
  mongo_pid=$!
  export MONGODB_URI="mongodb://127.0.0.1:$port/?directConnection=true"
  if ! "$VENV/bin/python" scripts/mongo_server.py wait --uri "$MONGODB_URI" --pid "$mongo_pid"; then
    tail -n 20 var/secantusd-test.log >&2
    exit 1
  fi
else
  echo "==> Testing against MongoDB at MONGODB_URI"
fi

# The assistant (bots/): its Python 3.10 environment and model (built when missing or stale), NLU
# quality on the held-out set, conversation tests; then pytest runs its end-to-end tests too.
echo "==> The assistant (bots/)"
bots/scripts/check.sh >/dev/null
export XUTHANH_REQUIRE_BOT_TESTS=1

# What the API's clients run against it (clients/): the GraphQL-over-HTTP audit and GraphQL Code
# Generator, from the lock file (installed again when it changes).
echo "==> Client tools (clients/, npm ci)"
if ! command -v npm >/dev/null; then
  # Node.js is the one system package make test needs (the audit and the code generator are npm).
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "Node.js and npm are needed (clients/): install them (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
fi
if [ ! -d clients/node_modules ] || [ clients/package-lock.json -nt clients/node_modules/.package-lock.json ]; then
  npm ci --prefix clients --no-audit --no-fund --loglevel=error >/dev/null
fi
export XUTHANH_REQUIRE_NODE_TESTS=1

# The staff console (console/): built when its sources changed; its browser test drives Debian's
# Chromium (installed here when missing; no test tool downloads a browser of its own).
echo "==> The staff console (console/)"
console/build.sh
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "==> Installing Debian's chromium for the console's browser test"
  sudo_cmd=(); [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get install -y -q chromium >/dev/null 2>&1 \
    || { "${sudo_cmd[@]}" apt-get update -q >/dev/null && "${sudo_cmd[@]}" apt-get install -y -q chromium >/dev/null; }
fi
export XUTHANH_REQUIRE_CONSOLE_TESTS=1

echo "==> pytest"
"$VENV/bin/pytest" "$@"
