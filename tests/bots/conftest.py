"""The action server's pure-Python modules, importable as ``actions.<module>`` without the
package's ``__init__`` (which imports the Rasa SDK and aiohttp, not installed in the API's
environment). Installed once here, before any test module of this directory is imported."""

import sys
import types
from pathlib import Path

ACTIONS = Path(__file__).resolve().parents[2] / "bots" / "actions"

if "actions" not in sys.modules:
    package = types.ModuleType("actions")
    package.__path__ = [str(ACTIONS)]
    sys.modules["actions"] = package
