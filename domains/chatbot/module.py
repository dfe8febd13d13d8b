"""The assistant's relay as the composition root sees it."""

from domains.chatbot import schema
from domains.chatbot.repository import RateLimitRepository
from domains.kernel.module import DomainModule

MODULE = DomainModule(
    name="chatbot",
    mutation=schema.Mutation,
    repositories=(RateLimitRepository,),
)
