#!/usr/bin/env bash
# Starts one part of the assistant in the foreground, bound to RASA_HOST (default 127.0.0.1; exec,
# so its PID is this script's PID and the caller can stop it by PID).
#   scripts/serve.sh actions   the action server (custom actions; calls the API at XUTHANH_API_URL)
#   scripts/serve.sh rasa      the Rasa server (REST channel; tracker store in MongoDB)
# Environment: RASA_HOST (127.0.0.1: the address both servers bind; 0.0.0.0 in a container),
# RASA_PORT (5005), ACTION_PORT (5055), MONGODB_URI, MONGODB_DATABASE (xuthanh),
# RASA_TRACKER_COLLECTION (rasa_conversations), XUTHANH_API_URL, RASA_MODEL (default: the
# model matching the current training data), RASA_ENABLE_API=1 (also serve Rasa's HTTP API, e.g.
# /model/parse, on 127.0.0.1: for bench/chatbot.py --breakdown only), RASA_ENDPOINTS (endpoints.yml;
# tests/cluster gives a copy with a Redis lock store, as deploy/k8s/base/assistant/endpoints.yml),
# TF_INTRA_OP_PARALLELISM_THREADS / TF_INTER_OP_PARALLELISM_THREADS (1: Rasa's TensorFlow pools).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
ACTION_PORT=${ACTION_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
RASA_HOST=${RASA_HOST:-127.0.0.1}

case "${1:-}" in
  actions)
    export SANIC_HOST=$RASA_HOST
    export XUTHANH_API_URL=${XUTHANH_API_URL:-http://127.0.0.1:8000/graphql}
    exec .venv/bin/rasa run actions --actions actions --port "$ACTION_PORT"
    ;;
  rasa)
    : "${MONGODB_URI:?MONGODB_URI must point at the MongoDB holding the tracker store}"
    # One TensorFlow thread per pool: the model is small, and idle pool threads spinning on
    # shared cores cost about 1-2 ms of CPU per message (bench/chatbot.py --cpu); same answers.
    export TF_INTRA_OP_PARALLELISM_THREADS=${TF_INTRA_OP_PARALLELISM_THREADS:-1}
    export TF_INTER_OP_PARALLELISM_THREADS=${TF_INTER_OP_PARALLELISM_THREADS:-1}
    export MONGODB_DATABASE=${MONGODB_DATABASE:-xuthanh}
    export RASA_TRACKER_COLLECTION=${RASA_TRACKER_COLLECTION:-rasa_conversations}
    export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://127.0.0.1:$ACTION_PORT/webhook}
    model=${RASA_MODEL:-$(.venv/bin/python scripts/train.py --print-path --no-train)}
    exec .venv/bin/rasa run -i "$RASA_HOST" -p "$RASA_PORT" --model "$model" \
      --endpoints "${RASA_ENDPOINTS:-endpoints.yml}" --credentials credentials.yml ${RASA_ENABLE_API:+--enable-api}
    ;;
  *)
    echo "usage: $0 actions|rasa" >&2
    exit 2
    ;;
esac
