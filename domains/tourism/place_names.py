"""Tourism's answer to the chat relay's "which names are places?" (``domains/chatbot/ports.py``):
the names of the attractions and events its read sides hold now, every language."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domains.kernel.resources import Resources
from domains.tourism.catalogues import ATTRACTION_INDEX, EVENT_INDEX


@dataclass(frozen=True, slots=True)
class TourismPlaceNames:
    resources: Resources

    def place_names(self) -> Iterable[str]:
        for key in (ATTRACTION_INDEX, EVENT_INDEX):
            index = self.resources.find(key)
            if index is None:
                continue
            for record_id in index.ids():
                fields = index.rendered(record_id) or {}
                name = fields.get("name")
                if isinstance(name, Mapping):
                    yield from (str(text) for text in name.values() if text)
                elif isinstance(name, str) and name:
                    yield name
