"""Benchmarks and evaluations (see README): run as ``python -m bench.<name>``."""

import os
from pathlib import Path

# The processes a bench starts run this checkout's code, also where the virtual environment's
# editable install points at another checkout (git worktrees sharing one environment).
_ROOT = str(Path(__file__).resolve().parent.parent)
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [_ROOT, os.environ.get("PYTHONPATH")]))
