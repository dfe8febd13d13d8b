from typing import ClassVar, Self

import strawberry

from domains.chatbot.errors import RateLimited
from domains.chatbot.rasa import BotMessage
from domains.chatbot.service import ChatResult
from domains.kernel.errors import DomainError, UserError
from domains.kernel.i18n import Language


@strawberry.input(description="One message to the assistant.")
class SendChatMessageInput:
    text: str = strawberry.field(description="What the user typed (or a button's payload).")
    session_id: str | None = strawberry.field(
        default=None,
        description="Anonymous visitors: the `sessionId` of the previous reply (omit at first).",
    )
    lang: Language | None = strawberry.field(
        default=None, description="Language of the answer; default from Accept-Language."
    )


@strawberry.type(description="A suggested reply: send `payload` as the next message's text.")
class ChatButton:
    title: str
    payload: str


@strawberry.type(description="A web page the answer refers to.")
class ChatLink:
    title: str
    url: str


@strawberry.type(description="One message from the assistant.")
class ChatMessage:
    text: str
    buttons: list[ChatButton]
    links: list[ChatLink]

    @classmethod
    def from_message(cls, message: BotMessage) -> "ChatMessage":
        return cls(
            text=message.text,
            buttons=[ChatButton(title=b.title, payload=b.payload) for b in message.buttons],
            links=[ChatLink(title=link.title, url=link.url) for link in message.links],
        )


@strawberry.type(description="The assistant's answer.")
class ChatReply:
    messages: list[ChatMessage]
    session_id: str | None = strawberry.field(
        description="Anonymous visitors: send this back with the next message to keep the "
        "conversation. Null for signed-in users (their conversation follows their account)."
    )
    degraded: bool = strawberry.field(
        description="True when the assistant was unavailable and this is a stand-in answer."
    )

    @classmethod
    def from_result(cls, result: ChatResult) -> "ChatReply":
        return cls(
            messages=[ChatMessage.from_message(m) for m in result.messages],
            session_id=result.session_id,
            degraded=result.degraded,
        )


@strawberry.type(description="Too many messages in a short time; wait and send again.")
class ChatRateLimited(UserError):
    retry_after_seconds: int
    codes: ClassVar[frozenset[str]] = frozenset({RateLimited.code})

    @classmethod
    def from_error(cls, error: DomainError) -> Self:
        return cls(
            message=error.message,
            code=error.code,
            retry_after_seconds=int(error.details.get("retryAfterSeconds", 60)),
        )
