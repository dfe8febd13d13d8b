"""Relaying a user's message to the assistant: validate, mask, limit, send, degrade."""

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from domains.chatbot.config import ChatSettings
from domains.chatbot.errors import EmptyMessage, MessageTooLong, RateLimited
from domains.chatbot.masking import mask_personal_data
from domains.chatbot.ports import PLACE_NAMES
from domains.chatbot.rasa import BotMessage, Link, RasaUnavailable, send_to_rasa
from domains.chatbot.repository import ChatStore, RateLimitRepository
from domains.chatbot.sessions import conversation_for
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow

logger = logging.getLogger("xuthanh.chatbot")

DEGRADED = {
    "vi": (
        "Trợ lý ảo đang tạm thời không trả lời được. Bạn thử lại sau ít phút, hoặc gọi đường "
        "dây nóng {hotline}, hoặc tra cứu trên Cổng dịch vụ công."
    ),
    "en": (
        "The assistant is temporarily unavailable. Please try again in a few minutes, call the "
        "hotline {hotline}, or look it up on the public services portal."
    ),
}
PORTAL = {"vi": "Cổng dịch vụ công", "en": "Public services portal"}
NO_ANSWER = {
    "vi": "Xin lỗi, tôi chưa có câu trả lời. Bạn thử hỏi cách khác nhé.",
    "en": "Sorry, I have no answer to that. Try asking another way.",
}


@dataclass(slots=True)
class ChatResult:
    session_id: str | None
    messages: list[BotMessage]
    degraded: bool


def _clean_text(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if not text:
        raise EmptyMessage()
    if len(text) > limit:
        raise MessageTooLong(limit)
    return text


async def _check_rate(
    rate_limits: RateLimitRepository, *, key: str, limit: int, now: datetime
) -> None:
    window = int(now.timestamp() // 60)
    window_end = datetime.fromtimestamp((window + 1) * 60, tz=now.tzinfo)
    count = await rate_limits.count_message(
        key=key, window=window, expires_at=window_end + timedelta(minutes=1)
    )
    if count > limit:
        raise RateLimited(max(1, int((window_end - now).total_seconds()) + 1))


def degraded_reply(settings: ChatSettings, lang: str) -> list[BotMessage]:
    text = DEGRADED.get(lang, DEGRADED["vi"]).format(hotline=settings.chat_hotline)
    link = Link(title=PORTAL.get(lang, PORTAL["vi"]), url=settings.chat_portal_url)
    return [BotMessage(text=text, links=[link])]


async def send_message(
    *,
    caller: Caller[ChatStore],
    settings: ChatSettings,
    http: httpx.AsyncClient,
    text: str,
    session_id: str | None,
    lang: str,
    client_ip: str | None,
    lang_requested: bool = True,
    now: datetime | None = None,
) -> ChatResult:
    """The assistant's answer to one message; RateLimited when the caller sends too many."""
    text = _clean_text(text, settings.chat_max_text_length)
    conversation = conversation_for(caller.principal, session_id, settings.secret)
    now = now or utcnow()
    if caller.principal.uid is not None:
        await _check_rate(
            caller.store.rate_limits,
            key=conversation.sender_id,
            limit=settings.chat_messages_per_minute_user,
            now=now,
        )
    else:
        # Keyed hash: the limiter counts addresses without storing them.
        ip_key = hmac.new(
            settings.secret, f"chat-ip:{client_ip or '-'}".encode(), hashlib.sha256
        ).hexdigest()[:32]
        await _check_rate(
            caller.store.rate_limits,
            key=f"ip-{ip_key}",
            limit=settings.chat_messages_per_minute_ip,
            now=now,
        )
    places = caller.store.resources.find(PLACE_NAMES)
    masked = mask_personal_data(text, places.holds) if places else mask_personal_data(text)
    try:
        messages = await send_to_rasa(
            http=http,
            base_url=settings.rasa_url,
            sender_id=conversation.sender_id,
            text=masked,
            lang=lang if lang_requested else None,
            client_lang=lang,
            timeout_seconds=settings.chat_timeout_seconds,
        )
    except RasaUnavailable as error:
        logger.warning("assistant unavailable", extra={"reason": str(error)})
        return ChatResult(conversation.session_id, degraded_reply(settings, lang), True)
    if not messages:
        messages = [BotMessage(text=NO_ANSWER.get(lang, NO_ANSWER["vi"]))]
    return ChatResult(conversation.session_id, messages, False)
