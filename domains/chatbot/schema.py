import logging
from typing import Annotated

import strawberry
from pydantic import ValidationError

from domains.chatbot import service
from domains.chatbot.config import ChatSettings
from domains.chatbot.errors import RateLimited
from domains.chatbot.service import ChatResult, degraded_reply
from domains.chatbot.types import ChatRateLimited, ChatReply, SendChatMessageInput
from domains.kernel.context import Info
from domains.kernel.errors import InvalidInput, ValidationFailed, validation_failed

logger = logging.getLogger("xuthanh.chatbot")

SendChatMessageResult = Annotated[
    ChatReply | ChatRateLimited | ValidationFailed, strawberry.union("SendChatMessageResult")
]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Ask the assistant about procedures, tourism, hospitals or schools. Phone, "
        "ID and health-insurance numbers are masked before the message is stored."
    )
    async def send_chat_message(
        self, info: Info, input: SendChatMessageInput
    ) -> SendChatMessageResult:
        context = info.context
        language = context.lang(input.lang)
        try:
            settings = ChatSettings()
        except ValidationError as error:
            # A bad CHAT_* variable must not take the API down: answer degraded, say why in logs.
            logger.error("chat configuration is invalid: %s", error)
            defaults = ChatSettings.model_construct()
            return ChatReply.from_result(ChatResult(None, degraded_reply(defaults, language), True))
        try:
            result = await service.send_message(
                db=context.db,
                principal=context.principal,
                settings=settings,
                text=input.text,
                session_id=input.session_id,
                lang=language,
                client_ip=context.client_ip,
            )
        except InvalidInput as error:
            return validation_failed(error)
        except RateLimited as error:
            return ChatRateLimited(
                message=f"Too many messages; send again in {error.retry_after_seconds} s.",
                code="RATE_LIMITED",
                retry_after_seconds=error.retry_after_seconds,
            )
        return ChatReply.from_result(result)
