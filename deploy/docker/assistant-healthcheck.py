"""Container health check of the assistant image: whichever server this container runs answers.

The Rasa server answers GET / ("Hello from Rasa"), the action server GET /health.
"""

import os
import sys
import urllib.request

URLS = (
    f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}/",
    f"http://127.0.0.1:{os.environ.get('ACTION_PORT', '5055')}/health",
)
for url in URLS:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback, fixed scheme
            sys.exit(0)
    except OSError:
        continue
sys.exit(1)
