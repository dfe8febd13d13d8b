#!/usr/bin/env bash
# `make test-cluster`: the replica tests (tests/cluster). Their assistant test runs two Rasa servers
# sharing a Redis lock store: Debian's redis-server, installed here when missing (as scripts/test.sh
# installs chromium). The assistant's model comes from `make test` (bots/scripts/check.sh trains it).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "==> Installing Debian's redis-server for the assistant's lock store test"
  sudo_cmd=(); [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get install -y -q redis-server >/dev/null 2>&1 \
    || { "${sudo_cmd[@]}" apt-get update -q >/dev/null && "${sudo_cmd[@]}" apt-get install -y -q redis-server >/dev/null; }
  # Debian's package starts a system Redis on 6379: the test starts its own on a free port.
fi

XUTHANH_CLUSTER_TEST=1 "$VENV/bin/pytest" -q -p no:cacheprovider tests/cluster "$@"
