#!/usr/bin/env bash
# `make run`: the embedded database (unless MONGODB_URI is set), indexes, demo data, the API.
# Ctrl-C stops everything this script started, API first, database last.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
PORT=${PORT:-8000}
MONGO_PORT=${MONGO_PORT:-27117}
export APP_ENV=${APP_ENV:-development}

pids=()
cleanup() {
  # Ignore further signals while stopping: make passes its own SIGTERM on to this script, so a
  # SIGTERM to the whole group arrives twice, and the second must not end the cleanup halfway.
  trap - EXIT
  trap '' INT TERM
  for (( i=${#pids[@]}-1; i>=0; i-- )); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  echo "==> Stopped."
}
trap cleanup EXIT
interrupted=
trap 'interrupted=1' INT TERM
# Components run in their own sessions, so Ctrl-C reaches only this script, which then stops them
# in reverse order (the API must not outlive the database it closes its connections to).

# Every port this run will listen on must be free: a second `make run` would otherwise talk to
# the first one's database and API and report itself running.
require_free_port() {  # port, what listens there, the variable that moves it
  if "$VENV/bin/python" scripts/mongo_server.py port-in-use --port "$1"; then
    echo "Port $1 on 127.0.0.1 ($2) is already in use: is another \`make run\` running? Stop it" \
      "(Ctrl-C in its terminal), or choose another port: $3=<port> make run" >&2
    exit 1
  fi
}
[ -n "${MONGODB_URI:-}" ] || require_free_port "$MONGO_PORT" "the embedded database" MONGO_PORT
require_free_port "$PORT" "the API" PORT
require_free_port "${RASA_PORT:-5005}" "the assistant's Rasa server" RASA_PORT
require_free_port "${ACTION_PORT:-5055}" "the assistant's action server" ACTION_PORT

mkdir -p var
if [ -z "${MONGODB_URI:-}" ]; then
  echo "==> Starting the embedded MongoDB-protocol server (SecantusDB) on 127.0.0.1:$MONGO_PORT, data in var/mongo"
  setsid "$VENV/bin/python" scripts/mongo_server.py exec --port "$MONGO_PORT" --storage "$PWD/var/mongo" \
    >>var/secantusd.log 2>&1 &
  pids+=($!)
  # retryWrites=false, maxIdleTimeMS: see LOCAL_CLIENT_OPTIONS in scripts/mongo_server.py.
  export MONGODB_URI="mongodb://127.0.0.1:$MONGO_PORT/?directConnection=true&retryWrites=false&maxIdleTimeMS=60000"
  if ! "$VENV/bin/python" scripts/mongo_server.py wait --uri "$MONGODB_URI" --pid "${pids[0]}"; then
    tail -n 20 var/secantusd.log >&2
    exit 1
  fi
else
  echo "==> Using MongoDB at MONGODB_URI"
fi

"$VENV/bin/xuthanh" create-indexes
"$VENV/bin/xuthanh" seed --if-empty

# The assistant (bots/): its own Python 3.10 environment, trained when its training data changed.
# Without it the API still runs; sendChatMessage then answers with its "unavailable" message.
bot_model=
if bots/scripts/setup_venv.sh && bot_model=$(bots/.venv/bin/python bots/scripts/train.py --print-path); then
  export RASA_URL=${RASA_URL:-http://127.0.0.1:${RASA_PORT:-5005}}
else
  echo "==> The assistant could not be prepared (see above); starting without it." >&2
fi

# The staff console (console/, served by the API under /console/): built when it changed.
console_url="http://127.0.0.1:$PORT/console/"
if ! console/build.sh; then
  console_url="not built (see above; needs Node.js 20+ and npm)"
fi

echo "==> Starting the API"
setsid "$VENV/bin/xuthanh" serve --port "$PORT" &
pids+=($!)
api_pid=$!
api_up=
for _ in $(seq 1 300); do
  kill -0 "$api_pid" 2>/dev/null || { echo "The API exited during start-up; see above." >&2; exit 1; }
  if "$VENV/bin/python" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then api_up=1; break; fi
  sleep 0.2
done
if [ -z "$api_up" ] || ! kill -0 "$api_pid" 2>/dev/null; then
  echo "The API did not answer on http://127.0.0.1:$PORT/healthz within 60 s; see above." >&2
  exit 1
fi

if [ -n "$bot_model" ]; then
  echo "==> Starting the assistant: action server and Rasa server (ready in about 30 s)"
  export MONGODB_DATABASE=${MONGODB_DATABASE:-xuthanh}
  XUTHANH_API_URL="http://127.0.0.1:$PORT/graphql" setsid bots/scripts/serve.sh actions \
    >>var/rasa-actions.log 2>&1 &
  pids+=($!)
  RASA_MODEL="$bot_model" setsid bots/scripts/serve.sh rasa >>var/rasa.log 2>&1 &
  pids+=($!)
fi

echo "==> Starting the notification worker"
setsid "$VENV/bin/xuthanh" worker &
pids+=($!)

cat <<MSG

  Xứ Thanh API is running (APP_ENV=$APP_ENV)
    GraphQL   http://127.0.0.1:$PORT/graphql   (POST)
    GraphiQL  http://127.0.0.1:$PORT/graphql   (open in a browser; development only)
    Health    http://127.0.0.1:$PORT/healthz   http://127.0.0.1:$PORT/readyz
    Metrics   http://127.0.0.1:$PORT/metrics
    Console   $console_url   (hospital staff; pick a demo account)
  Sign in for GraphiQL: .venv/bin/xuthanh dev-token --uid me --role admin
  Assistant ${RASA_URL:-not started}   (sendChatMessage; logs in var/rasa*.log)
  Press Ctrl-C to stop.

MSG
# Stop everything on Ctrl-C, or as soon as any component exits.
wait -n "${pids[@]}" || true
if [ -n "$interrupted" ]; then
  echo "==> Stopping (Ctrl-C)"
  exit 0
fi
echo "A component exited; stopping the rest." >&2
exit 1
