"""Configuration of the actions (environment variables shared with the API's settings)."""

import os

DEFAULT_HOTLINE = "1800 1096"
DEFAULT_PORTAL_URL = "https://dichvucong.gov.vn"


def hotline() -> str:
    return os.environ.get("CHAT_HOTLINE", DEFAULT_HOTLINE)


def portal_url() -> str:
    return os.environ.get("CHAT_PORTAL_URL", DEFAULT_PORTAL_URL)
