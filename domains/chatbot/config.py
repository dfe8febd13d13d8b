"""The chatbot's configuration, from environment variables.

Domains never import ``api/``, and the request context carries no settings, so the relay reads
its own few variables (documented in docs/chatbot.md) with the same pydantic-settings rules.
"""

import functools
import logging
import secrets
from functools import cached_property

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

logger = logging.getLogger("xuthanh.chatbot")

# One secret per process when none is configured: sessions then last as long as the process.
_PROCESS_SECRET = secrets.token_bytes(32)


class ChatSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    app_env: str = "development"
    # The Rasa server's REST channel (bots/, `rasa run -i 127.0.0.1`).
    rasa_url: str = "http://127.0.0.1:5005"
    # Past this, the user gets the degraded reply and the API carries on.
    chat_timeout_seconds: float = Field(default=4.0, gt=0, le=120)
    # Shown when the assistant cannot answer or is unavailable.
    chat_hotline: str = "1800 1096"
    chat_portal_url: str = "https://dichvucong.gov.vn"
    # Signs anonymous session ids and keys the hash of user ids sent to Rasa. Set it in
    # production (the same value on every replica) or sessions end when a process restarts.
    chat_session_secret: SecretStr | None = None
    chat_messages_per_minute_user: int = Field(default=20, ge=1, le=1000)
    chat_messages_per_minute_ip: int = Field(default=40, ge=1, le=10000)
    chat_max_text_length: int = Field(default=500, ge=10, le=5000)

    @cached_property
    def secret(self) -> bytes:
        if self.chat_session_secret is not None:
            return self.chat_session_secret.get_secret_value().encode()
        if self.app_env == "production":
            _warn_missing_secret()
        return _PROCESS_SECRET


@functools.cache
def _warn_missing_secret() -> None:
    """Once per process: settings are read per request, the warning should not be."""
    logger.warning(
        "CHAT_SESSION_SECRET is not set: chat sessions will not survive a restart or move "
        "between replicas"
    )
