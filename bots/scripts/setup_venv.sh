#!/usr/bin/env bash
# Creates bots/.venv (Python 3.10: Rasa 3.6 supports 3.8-3.10 only) and installs the pinned
# requirements; reinstalls only when requirements.txt changed. Takes ~2 minutes the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
STAMP=$VENV/.installed

find_python() {
  for candidate in "${BOT_PYTHON:-}" python3.10 "$HOME/.pyenv/versions/3.10.13/bin/python3.10"; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  for candidate in "$HOME"/.pyenv/versions/3.10.*/bin/python3.10; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  return 1
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(sha256sum requirements.txt | cut -d' ' -f1)" ]; then
  exit 0
fi
python=$(find_python) || {
  echo "Python 3.10 not found: Rasa 3.6 needs it. Install python3.10 or set BOT_PYTHON=/path/to/python3.10." >&2
  exit 1
}
echo "==> Creating bots/.venv with $python and installing Rasa 3.6.21 (pinned; ~2 minutes, 2.7 GB)"
test -x "$VENV/bin/python" || "$python" -m venv "$VENV"
# No pip self-upgrade and no setuptools upgrade: the pins in requirements.txt decide.
"$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar on -r requirements.txt
sha256sum requirements.txt | cut -d' ' -f1 > "$STAMP"
echo "==> bots/.venv is ready"
