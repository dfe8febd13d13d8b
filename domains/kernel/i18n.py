"""Localized text stored as ``{"vi": ..., "en": ...}`` and returned in the language asked for."""

from collections.abc import Mapping
from enum import Enum
from typing import Any

import strawberry

DEFAULT_LANGUAGE = "vi"


@strawberry.enum(description="Language of returned text; Vietnamese is the fallback.")
class Language(Enum):
    VI = "vi"
    EN = "en"


LocalizedDict = dict[str, str]


def pick(text: Mapping[str, Any] | None, language: str) -> str | None:
    """Return the text in ``language``, else Vietnamese, else any non-empty variant."""
    if not text:
        return None
    for code in (language, DEFAULT_LANGUAGE):
        value = text.get(code)
        if value:
            return str(value)
    for value in text.values():
        if value:
            return str(value)
    return None


def parse_accept_language(header: str | None) -> str:
    """Best supported language from an ``Accept-Language`` header (q-values honoured)."""
    if not header:
        return DEFAULT_LANGUAGE
    supported = {language.value for language in Language}
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        code = pieces[0].strip().lower().split("-")[0]
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if code in supported and quality > 0:
            ranked.append((-quality, position, code))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


@strawberry.input(description="Text in several languages; Vietnamese is required.")
class LocalizedTextInput:
    vi: str
    en: str | None = None

    def to_document(self) -> LocalizedDict:
        document = {"vi": self.vi.strip()}
        if self.en and self.en.strip():
            document["en"] = self.en.strip()
        return document


@strawberry.type(description="Text in every stored language, for editors.")
class LocalizedText:
    vi: str | None
    en: str | None

    @classmethod
    def from_document(cls, document: Mapping[str, Any] | None) -> "LocalizedText":
        document = document or {}
        return cls(vi=document.get("vi"), en=document.get("en"))
