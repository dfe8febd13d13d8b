#!/bin/sh
# Entrypoint of the assistant image: `rasa` (the Rasa server) or `actions` (the action server),
# bound to all interfaces inside the container (bots/scripts/serve.sh binds 127.0.0.1 for
# `make run`). Environment:
#   rasa:    RASA_PORT (5005), RASA_ENDPOINTS (/app/bots/endpoints.yml; the cluster's file with the
#            Redis lock store is mounted at /etc/xuthanh/rasa/endpoints.yml), RASA_MODEL (models/),
#            and whatever the endpoints file names: ACTION_SERVER_URL, RASA_MONGODB_URI,
#            RASA_TRACKER_DATABASE, REDIS_HOST, REDIS_PASSWORD; TF_INTRA_OP_PARALLELISM_THREADS /
#            TF_INTER_OP_PARALLELISM_THREADS (1, as bots/scripts/serve.sh: see its comment)
#   actions: ACTION_PORT (5055), XUTHANH_API_URL (the API's /graphql)
set -eu
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
role=${1:-rasa}
[ "$#" -gt 0 ] && shift
case "$role" in
  rasa)
    export TF_INTRA_OP_PARALLELISM_THREADS="${TF_INTRA_OP_PARALLELISM_THREADS:-1}"
    export TF_INTER_OP_PARALLELISM_THREADS="${TF_INTER_OP_PARALLELISM_THREADS:-1}"
    exec rasa run -i 0.0.0.0 -p "${RASA_PORT:-5005}" \
      --model "${RASA_MODEL:-/app/bots/models}" \
      --endpoints "${RASA_ENDPOINTS:-/app/bots/endpoints.yml}" \
      --credentials /app/bots/credentials.yml "$@"
    ;;
  actions)
    export SANIC_HOST=0.0.0.0
    : "${XUTHANH_API_URL:?XUTHANH_API_URL must point at the API, e.g. http://xuthanh-api:8000/graphql}"
    exec rasa run actions --actions actions --port "${ACTION_PORT:-5055}" "$@"
    ;;
  *)
    # Anything else runs as a command (e.g. `rasa shell`, `python -c ...`).
    exec "$role" "$@"
    ;;
esac
