"""Strawberry output types of itineraries; their stops' attractions come through the loader."""

import strawberry
from bson import ObjectId

from domains.kernel.context import Info
from domains.kernel.i18n import Language, pick
from domains.kernel.node import Node
from domains.tourism.models import ItineraryDocument
from domains.tourism.types import Attraction, attraction_loader, described
from domains.tourism.vocabulary import ItineraryTheme


@strawberry.type(description="One stop of an itinerary.")
class ItineraryStop:
    order: int
    minutes: int
    attraction_id: strawberry.Private[ObjectId]
    note_text: strawberry.Private[dict[str, str] | None]
    language: strawberry.Private[str]

    @strawberry.field
    def note(self, lang: Language | None = None) -> str | None:
        return pick(self.note_text, lang.value if lang else self.language)

    @described("Null if the attraction was removed.")
    async def attraction(self, info: Info) -> Attraction | None:
        document = await attraction_loader(info).load(self.attraction_id)
        return Attraction.from_document(document, self.language) if document else None


@strawberry.type(description="A suggested route: attractions in order, with time at each.")
class Itinerary(Node):
    id: strawberry.ID
    document: strawberry.Private[ItineraryDocument]
    language: strawberry.Private[str]

    @classmethod
    def from_document(cls, document: ItineraryDocument, language: str) -> "Itinerary":
        return cls(id=strawberry.ID(str(document["_id"])), document=document, language=language)

    @strawberry.field
    def slug(self) -> str:
        return self.document["slug"]

    @strawberry.field
    def title(self, lang: Language | None = None) -> str:
        return pick(self.document["title"], lang.value if lang else self.language) or ""

    @strawberry.field
    def description(self, lang: Language | None = None) -> str | None:
        return pick(self.document.get("description"), lang.value if lang else self.language)

    @strawberry.field
    def theme(self) -> ItineraryTheme:
        return ItineraryTheme(self.document["theme"])

    @described("Sum of the stops' suggested minutes (travel not included).")
    def total_minutes(self) -> int:
        return self.document["totalMinutes"]

    @strawberry.field
    def stops(self) -> list[ItineraryStop]:
        return [
            ItineraryStop(
                order=index + 1,
                minutes=stop["minutes"],
                attraction_id=stop["attractionId"],
                note_text=stop.get("note"),
                language=self.language,
            )
            for index, stop in enumerate(self.document["stops"])
        ]
