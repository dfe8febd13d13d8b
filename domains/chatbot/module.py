"""The assistant's relay as the composition root sees it."""

from collections.abc import Sequence

from domains.chatbot import personal_data, retention, schema
from domains.chatbot.config import CHAT_CONFIG, ChatSettings, read_chat_config
from domains.chatbot.rasa import RASA_HTTP, provide_rasa_http
from domains.chatbot.repository import RateLimitRepository
from domains.kernel.module import DomainModule
from domains.kernel.resources import Resources


def wire(resources: Resources) -> None:
    resources.provide(CHAT_CONFIG, read_chat_config())
    if resources.find(RASA_HTTP) is None:
        provide_rasa_http(resources)


def production_refusals() -> Sequence[str]:
    return ChatSettings().production_refusals()


MODULE = DomainModule(
    name="chatbot",
    mutation=schema.Mutation,
    repositories=(RateLimitRepository,),
    wire=wire,
    production_refusals=production_refusals,
    personal_data=personal_data.holder,
    purge=retention.purge,
)
