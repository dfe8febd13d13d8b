"""The assistant relay's configuration: the one declaration of every CHAT_* variable and of
RASA_URL, read once per process by the chatbot module's wiring (domains/chatbot/module.py)."""

import logging
import secrets
from dataclasses import dataclass
from functools import cached_property

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from domains.kernel.resources import Key

logger = logging.getLogger("xuthanh.chatbot")


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
    # Signs anonymous session ids and keys the hash of user ids sent to Rasa. Required in
    # production (the same value on every replica) or sessions end when a process restarts.
    chat_session_secret: SecretStr | None = None
    chat_messages_per_minute_user: int = Field(default=20, ge=1, le=1000)
    chat_messages_per_minute_ip: int = Field(default=40, ge=1, le=10000)
    chat_max_text_length: int = Field(default=500, ge=10, le=5000)
    # Where Rasa keeps its trackers (bots/endpoints.yml): read by the export and erasure of a
    # user's data. The database defaults to the API's own.
    rasa_tracker_database: str | None = None
    rasa_tracker_collection: str = "rasa_conversations"
    # Retention (docs/security.md): a conversation idle this long is deleted by `xuthanh purge`.
    chat_retention_days: int = Field(default=30, ge=1, le=3650)

    @cached_property
    def secret(self) -> bytes:
        """The configured secret, else one made for this process (settings are read once)."""
        if self.chat_session_secret is not None:
            return self.chat_session_secret.get_secret_value().encode()
        if self.app_env == "production":
            logger.warning(
                "CHAT_SESSION_SECRET is not set: chat sessions will not survive a restart or "
                "move between replicas"
            )
        return secrets.token_bytes(32)

    def production_refusals(self) -> list[str]:
        if self.chat_session_secret is None:
            return [
                "CHAT_SESSION_SECRET is not set: chat sessions would not survive a restart or "
                "move between replicas. Set the same random value on every replica."
            ]
        return []


@dataclass(frozen=True, slots=True)
class ChatConfig:
    """The settings, or the reason they could not be read (the relay then answers degraded:
    a bad CHAT_* variable must not take the API down)."""

    settings: ChatSettings
    problem: str | None = None


CHAT_CONFIG: Key[ChatConfig] = Key("chatbot.config")


def read_chat_config() -> ChatConfig:
    try:
        return ChatConfig(ChatSettings())
    except ValueError as error:
        logger.error("chat configuration is invalid: %s", error)
        return ChatConfig(ChatSettings.model_construct(), problem=str(error))
