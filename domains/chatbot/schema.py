from typing import Annotated

import strawberry

from domains.chatbot import service
from domains.chatbot.config import CHAT_CONFIG
from domains.chatbot.rasa import RASA_HTTP
from domains.chatbot.repository import ChatStore
from domains.chatbot.service import ChatResult, degraded_reply
from domains.chatbot.types import ChatRateLimited, ChatReply, SendChatMessageInput
from domains.kernel.context import Info
from domains.kernel.errors import ValidationFailed, expected

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
        config = context.resources.get(CHAT_CONFIG)
        if config.problem is not None:
            degraded = degraded_reply(config.settings, language)
            return ChatReply.from_result(ChatResult(None, degraded, True))
        return await expected(
            service.send_message(
                caller=context.caller(ChatStore.of),
                settings=config.settings,
                http=context.resources.get(RASA_HTTP),
                text=input.text,
                session_id=input.session_id,
                lang=language,
                # Only a language the app asks for is imposed; otherwise the assistant answers
                # in the question's language (the request's language when it cannot tell).
                lang_requested=input.lang is not None,
                client_ip=context.client_ip,
            ),
            ChatReply.from_result,
            ValidationFailed,
            ChatRateLimited,
        )
