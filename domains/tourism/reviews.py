"""Reviews: one per visitor per attraction; every change moves the rating totals with it."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from domains.kernel.auth import require_admin, require_user
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import Forbidden, InvalidInput
from domains.kernel.pagination import Page
from domains.kernel.types import Session
from domains.kernel.validation import clean_text, object_id
from domains.tourism import catalogues
from domains.tourism.catalogues import ATTRACTION_INDEX
from domains.tourism.errors import AlreadyReviewed, AttractionNotFound, ReviewNotFound
from domains.tourism.models import ReviewDocument
from domains.tourism.repositories.store import TourismStore

MAX_REVIEW_TEXT = 2000
MAX_REASON = 500


def _review_content(rating: int, text: str | None) -> tuple[int, str]:
    if not 1 <= rating <= 5:
        raise InvalidInput(f"`rating` must be 1 to 5 stars; got {rating}.", field="rating")
    return rating, clean_text(text, field="text", limit=MAX_REVIEW_TEXT) or ""


def _attraction_key(attraction_id: ObjectId) -> tuple[str, ObjectId]:
    """Reviews of one attraction move one rating total: they take turns in this process."""
    return ("tourism.attraction", attraction_id)


async def add_review(
    *,
    caller: Caller[TourismStore],
    attraction_id: str,
    rating: int,
    text: str | None,
    now: datetime | None = None,
) -> ReviewDocument:
    """The caller's review of an attraction; the rating totals move in the same transaction."""
    store, uid = caller.store, require_user(caller.principal)
    rating, body = _review_content(rating, text)
    parsed = object_id(attraction_id, what="attraction")
    existing = await store.reviews.find_own(parsed, uid)
    if existing is not None:
        raise AlreadyReviewed(str(existing["_id"]))
    now = now or utcnow()
    document: dict[str, Any] = {
        "_id": ObjectId(),
        "attractionId": parsed,
        "uid": uid,
        "rating": rating,
        "text": body,
        "hidden": False,
        "createdAt": now,
        "updatedAt": now,
    }

    async def write(session: Session) -> ReviewDocument:
        if not await store.attractions.exists(parsed, session=session):
            raise AttractionNotFound(attraction_id)
        stored = await store.reviews.insert(document, session=session)
        await store.attractions.change_rating(parsed, by_sum=rating, by_count=1, session=session)
        return stored

    try:
        review = await store.transaction(write, keys=[_attraction_key(parsed)])
    except DuplicateKeyError as error:
        # A second request of the same user won the race; the unique index kept one review.
        raced = await store.reviews.find_own(parsed, uid)
        raise AlreadyReviewed(str(raced["_id"]) if raced else "") from error
    return await _totals_moved(store, review)


async def _totals_moved(store: TourismStore, review: ReviewDocument) -> ReviewDocument:
    """Lists in this process show the attraction's new rating at once (other processes: soon,
    through the change feed)."""
    await catalogues.rewritten(store.resources, ATTRACTION_INDEX, [review["attractionId"]])
    return review


async def _own_review(
    store: TourismStore, review_id: str, uid: str, session: Session
) -> ReviewDocument:
    review = await _review(store, review_id, session)
    if review["uid"] != uid:
        raise Forbidden("You can change only your own reviews.")
    return review


async def _review(store: TourismStore, review_id: str, session: Session) -> ReviewDocument:
    review = await store.reviews.get_in(object_id(review_id, what="review"), session=session)
    if review is None:
        raise ReviewNotFound(review_id)
    return review


async def update_review(
    *,
    caller: Caller[TourismStore],
    review_id: str,
    rating: int,
    text: str | None,
    now: datetime | None = None,
) -> ReviewDocument:
    """Edit the caller's own review; a visible review moves the totals by the difference."""
    store, uid = caller.store, require_user(caller.principal)
    rating, body = _review_content(rating, text)
    stamp = now or utcnow()

    async def write(session: Session) -> ReviewDocument:
        review = await _own_review(store, review_id, uid, session)
        updated = await store.reviews.set_fields(
            review["_id"], {"rating": rating, "text": body, "updatedAt": stamp}, session=session
        )
        if not review["hidden"]:
            await store.attractions.change_rating(
                review["attractionId"],
                by_sum=rating - review["rating"],
                by_count=0,
                session=session,
            )
        return updated

    return await _totals_moved(store, await store.transaction(write))


async def delete_review(*, caller: Caller[TourismStore], review_id: str) -> ReviewDocument:
    """Delete the caller's own review; a visible one leaves the totals."""
    store, uid = caller.store, require_user(caller.principal)

    async def write(session: Session) -> ReviewDocument:
        review = await _own_review(store, review_id, uid, session)
        await store.reviews.delete(review["_id"], session=session)
        if not review["hidden"]:
            await store.attractions.change_rating(
                review["attractionId"], by_sum=-review["rating"], by_count=-1, session=session
            )
        return review

    return await _totals_moved(store, await store.transaction(write))


async def hide_review(
    *,
    caller: Caller[TourismStore],
    review_id: str,
    hidden: bool,
    reason: str | None,
    now: datetime | None = None,
) -> ReviewDocument:
    """Hide a review from everyone and from the averages, or show it again (admins only)."""
    store, by = caller.store, require_admin(caller.principal)
    note = clean_text(reason, field="reason", limit=MAX_REASON)
    stamp = now or utcnow()

    async def write(session: Session) -> ReviewDocument:
        review = await _review(store, review_id, session)
        fields: dict[str, Any] = {
            "hidden": hidden,
            "hiddenReason": note if hidden else None,
            "hiddenBy": by if hidden else None,
            "moderatedAt": stamp,
        }
        updated = await store.reviews.set_fields(review["_id"], fields, session=session)
        if review["hidden"] != hidden:
            sign = -1 if hidden else 1
            await store.attractions.change_rating(
                review["attractionId"],
                by_sum=sign * review["rating"],
                by_count=sign,
                session=session,
            )
        return updated

    return await _totals_moved(store, await store.transaction(write))


async def list_reviews(
    *,
    caller: Caller[TourismStore],
    attraction_id: str,
    include_hidden: bool = False,
    first: int | None = None,
    after: str | None = None,
) -> Page[ReviewDocument]:
    """Reviews of an attraction, newest first; hidden ones only for administrators."""
    if include_hidden:
        require_admin(caller.principal)
    parsed = object_id(attraction_id, what="attraction")
    return await caller.store.reviews.page(
        attraction_id=parsed, include_hidden=include_hidden, first=first, after=after
    )


async def load_latest_reviews(
    *, store: TourismStore, attraction_ids: Sequence[ObjectId], per_attraction: int
) -> list[list[ReviewDocument]]:
    """The newest visible reviews per attraction (DataLoader batch)."""
    found = await store.reviews.latest_for(attraction_ids, per_attraction)
    return [found.get(attraction_id, []) for attraction_id in attraction_ids]


async def get_review(*, caller: Caller[TourismStore], review_id: str) -> ReviewDocument | None:
    """One review as `reviews` shows it: a hidden one only to administrators."""
    parsed = ObjectId(review_id) if ObjectId.is_valid(review_id) else None
    review = await caller.store.reviews.get_in(parsed, session=None) if parsed else None
    if review is None or (review["hidden"] and not caller.principal.is_admin):
        return None
    return review
