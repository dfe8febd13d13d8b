"""Shared input validation: free text, localized text and ids, each with one message style.

Every failure is an ``InvalidInput`` naming the field (a ``ValidationFailed`` for the client) or a
``NotFound`` for ids that cannot exist, so a malformed id answers exactly like a missing object.
"""

from collections.abc import Mapping

from bson import ObjectId
from bson.errors import InvalidId

from domains.kernel.errors import InvalidInput, NotFound
from domains.kernel.i18n import LocalizedDict, LocalizedTextInput

LANGUAGES = ("vi", "en")


def clean_text(
    value: str | None, *, field: str, limit: int, required: bool = False, minimum: int = 0
) -> str | None:
    """Trimmed text within ``minimum``..``limit`` characters; None when empty and optional."""
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidInput(f"`{field}` must not be empty.", field=field)
        return None
    if len(text) > limit:
        raise InvalidInput(f"`{field}` is {len(text)} characters; at most {limit}.", field=field)
    if len(text) < minimum:
        raise InvalidInput(f"`{field}` needs at least {minimum} characters.", field=field)
    return text


def required_text(value: str | None, *, field: str, limit: int, minimum: int = 1) -> str:
    """Trimmed text that must be given."""
    text = clean_text(value, field=field, limit=limit, required=True, minimum=minimum)
    assert text is not None  # noqa: S101 - required=True never returns None
    return text


def localized_text(
    value: Mapping[str, str | None] | LocalizedTextInput | None,
    *,
    field: str,
    limit: int,
    required: bool = True,
) -> LocalizedDict:
    """Text in Vietnamese (required unless ``required`` is false) and English, each trimmed and
    within ``limit`` characters; empty variants are dropped."""
    if isinstance(value, LocalizedTextInput):
        value = value.to_document()
    cleaned = {
        lang: str(text).strip() for lang, text in (value or {}).items() if text and text.strip()
    }
    unknown = sorted(set(cleaned) - set(LANGUAGES))
    if unknown:
        raise InvalidInput(
            f"`{field}` supports the languages vi and en; got {unknown}.", field=field
        )
    if required and not cleaned.get("vi"):
        raise InvalidInput(f"`{field}.vi` is required (Vietnamese text).", field=field)
    for lang, text in cleaned.items():
        if len(text) > limit:
            raise InvalidInput(
                f"`{field}.{lang}` is {len(text)} characters; at most {limit}.", field=field
            )
    return cleaned


def object_id(value: str, *, what: str) -> ObjectId:
    """The ObjectId of a client-given id; an id that cannot exist answers like a missing one."""
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        raise NotFound(f"No {what} has the id {value[:40]!r}.") from None
