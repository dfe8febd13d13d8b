"""Creating and replacing the slug-keyed content (attractions, events, itineraries): the step
their create and update use cases share, so a taken slug answers alike everywhere."""

import contextlib
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from domains.kernel.errors import InvalidInput
from domains.kernel.types import Session
from domains.tourism.repositories.slugged import SluggedRepository

Stored = TypeVar("Stored")


@contextlib.contextmanager
def _free_slug(noun: str, slug: str) -> Iterator[None]:
    """The unique slug index refused the write: a ValidationFailed on `slug`."""
    try:
        yield
    except DuplicateKeyError as error:
        raise InvalidInput(
            f"Another {noun} already uses the slug {slug!r}.", field="slug"
        ) from error


async def create(
    repository: SluggedRepository[Stored],
    fields: Mapping[str, Any],
    *,
    now: datetime,
    extra: Mapping[str, Any] | None = None,
    session: Session | None = None,
) -> Stored:
    """Store new content: its validated ``fields``, ``extra`` (totals, versions), timestamps."""
    document = {"_id": ObjectId(), **fields, **(extra or {}), "createdAt": now, "updatedAt": now}
    with _free_slug(repository.noun, str(fields["slug"])):
        return await repository.insert(document, session=session)


async def replace(
    repository: SluggedRepository[Stored],
    document_id: ObjectId,
    fields: Mapping[str, Any],
    *,
    now: datetime,
    session: Session | None = None,
) -> Stored | None:
    """Replace content's fields (None when it does not exist); what ``fields`` leaves out stays."""
    with _free_slug(repository.noun, str(fields["slug"])):
        return await repository.update_fields(
            document_id, {**fields, "updatedAt": now}, session=session
        )
