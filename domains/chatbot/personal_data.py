"""What the assistant holds about a signed-in person: their conversation in Rasa's tracker store
(keyed by the keyed hash of the uid the relay sends, ``sessions.conversation_for``)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from domains.chatbot.config import CHAT_CONFIG
from domains.chatbot.sessions import conversation_for
from domains.kernel.auth import Principal
from domains.kernel.personal_data import PersonalData
from domains.kernel.resources import Resources
from domains.kernel.types import Document


@dataclass(frozen=True, slots=True)
class ChatPersonalData:
    trackers: AsyncCollection[Document]
    secret: bytes

    def _sender(self, uid: str) -> str:
        return conversation_for(Principal(uid=uid), None, self.secret).sender_id

    async def export(self, uid: str) -> Mapping[str, Any]:
        found = await self.trackers.find({"sender_id": self._sender(uid)}, {"_id": 0}).to_list()
        return {"conversations": found}

    async def erase(self, uid: str) -> int:
        result = await self.trackers.delete_many({"sender_id": self._sender(uid)})
        return int(result.deleted_count)


def trackers(resources: Resources) -> AsyncCollection[Document]:
    """Rasa's tracker collection (its own database when RASA_TRACKER_DATABASE is set)."""
    settings = resources.get(CHAT_CONFIG).settings
    db = resources.db
    if settings.rasa_tracker_database:
        db = db.client[settings.rasa_tracker_database]
    return db[settings.rasa_tracker_collection]


def holder(resources: Resources) -> PersonalData:
    return ChatPersonalData(trackers(resources), resources.get(CHAT_CONFIG).settings.secret)
