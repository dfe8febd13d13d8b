#!/usr/bin/env bash
# The assistant's own checks, run by `make test`: environment, model, NLU quality on the
# held-out set (as written and without diacritics; intent macro-F1 >= 0.90) and the
# conversation tests. Prints the model path as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2

scripts/setup_venv.sh >&2
model=$(.venv/bin/python scripts/train.py --print-path)
echo "==> NLU on the held-out test set (rasa test nlu)" >&2
.venv/bin/python scripts/evaluate_nlu.py --model "$model" >&2
echo "==> Conversation tests (rasa test core)" >&2
.venv/bin/rasa test core --model "$model" --stories tests/test_stories.yml \
  --out results/core --fail-on-prediction-errors --no-plot >&2
echo "    all conversation tests passed" >&2
echo "$model"
