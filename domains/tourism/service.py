"""Tourism rules: who may do what, reviews and their rating totals, reminders for events."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from domains.kernel.auth import Principal, require_admin, require_user
from domains.kernel.clock import PROVINCE_TZ, utcnow
from domains.kernel.errors import Forbidden, InvalidInput
from domains.kernel.folding import fold
from domains.kernel.geo import NearInput
from domains.kernel.i18n import pick
from domains.kernel.pagination import Page
from domains.kernel.repository import parse_object_id
from domains.kernel.search import query_terms
from domains.notifications import outbox
from domains.tourism.errors import (
    AlreadyReviewed,
    AttractionNotFound,
    EventNotFound,
    EventNotOpen,
    ItineraryNotFound,
    ReviewNotFound,
)
from domains.tourism.inputs import AttractionInput, EventInput, ItineraryInput
from domains.tourism.models import (
    AttractionDocument,
    EventDocument,
    FavoriteDocument,
    ItineraryDocument,
    ReviewDocument,
)
from domains.tourism.repository import (
    AttractionFilter,
    AttractionRepository,
    EventRepository,
    EventSubscriptionRepository,
    FavoriteRepository,
    ItineraryRepository,
    ReviewRepository,
)
from domains.tourism.vocabulary import (
    CALLED_OFF,
    ON_SCHEDULE,
    AttractionCategory,
    EventStatus,
    ItineraryTheme,
)

Database = AsyncDatabase[dict[str, Any]]
T = TypeVar("T")

MAX_REVIEW_TEXT = 2000
MAX_SEARCH_TEXT = 200
# When reminders go out, before an event starts.
REMINDERS = (("reminder-1d", timedelta(days=1)), ("reminder-2h", timedelta(hours=2)))
# The outbox refuses schedules further ahead than this; later reminders are set on reschedule.
MAX_REMINDER_AHEAD = timedelta(days=399)
PUSH_BATCH = 1000
# Synonyms people type for what the names say differently.
SYNONYMS: Mapping[str, Sequence[str]] = {
    "citadel": ["thanh"],
    "ho dynasty": ["thanh nha ho"],
    "beach": ["bai bien"],
    "temple": ["den"],
    "pagoda": ["chua"],
    "cave": ["hang", "dong"],
    "waterfall": ["thac"],
    "national park": ["vuon quoc gia"],
}


async def in_transaction(db: Database, work: Callable[[AsyncClientSession], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction (retried on transient conflicts)."""
    async with db.client.start_session() as session:

        async def callback(session: AsyncClientSession) -> T:
            return await work(session)

        return await session.with_transaction(callback)


def _object_id(value: str, error: Callable[[str], Exception]) -> ObjectId:
    parsed = parse_object_id(value)
    if parsed is None:
        raise error(value)
    return parsed


# --- attractions ------------------------------------------------------------------------------


async def list_attractions(
    *,
    db: Database,
    near: NearInput | None = None,
    search: str | None = None,
    category: AttractionCategory | None = None,
    district: str | None = None,
    open_now: bool = False,
    first: int | None = None,
    after: str | None = None,
    now: datetime | None = None,
) -> Page[AttractionDocument]:
    """Attractions filtered and ordered by distance (near), relevance (search) or name."""
    terms: list[str] = []
    if search is not None and search.strip():
        if len(search) > MAX_SEARCH_TEXT:
            raise InvalidInput(f"`search` is at most {MAX_SEARCH_TEXT} characters.", field="search")
        terms = query_terms(search, SYNONYMS)
        if not terms:
            raise InvalidInput("`search` has no letters or digits to look for.", field="search")
    where = AttractionFilter(
        category=category.value if category else None,
        district_key=fold(district) if district and district.strip() else None,
        search_terms=terms,
        open_at=(now or utcnow()) if open_now else None,
    )
    return await AttractionRepository(db).page(
        where=where, near=near.validated() if near else None, first=first, after=after
    )


async def get_attraction(*, db: Database, attraction_id: str) -> AttractionDocument | None:
    """One attraction, or None for an unknown id."""
    parsed = parse_object_id(attraction_id)
    if parsed is None:
        return None
    document: AttractionDocument | None = await AttractionRepository(db).get(parsed)  # type: ignore[assignment]
    return document


async def load_attractions(
    *, db: Database, ids: Sequence[ObjectId]
) -> list[AttractionDocument | None]:
    """Attractions in the order of ``ids`` (DataLoader batch)."""
    return await AttractionRepository(db).get_many(ids)  # type: ignore[return-value]


async def create_attraction(
    *, db: Database, principal: Principal, data: AttractionInput, now: datetime | None = None
) -> AttractionDocument:
    """Add an attraction (administrators only)."""
    require_admin(principal)
    fields = data.to_fields()
    now = now or utcnow()
    document = {
        "_id": ObjectId(),
        **fields,
        "rating": {"sum": 0, "count": 0},
        "createdAt": now,
        "updatedAt": now,
    }
    try:
        await AttractionRepository(db).insert(document)
    except DuplicateKeyError as error:
        raise InvalidInput(
            f"Another attraction already uses the slug {fields['slug']!r}.", field="slug"
        ) from error
    return document  # type: ignore[return-value]


async def update_attraction(
    *,
    db: Database,
    principal: Principal,
    attraction_id: str,
    data: AttractionInput,
    now: datetime | None = None,
) -> AttractionDocument:
    """Replace an attraction's content; its reviews and rating stay (administrators only)."""
    require_admin(principal)
    parsed = _object_id(attraction_id, AttractionNotFound)
    fields = {**data.to_fields(), "updatedAt": now or utcnow()}
    try:
        document = await AttractionRepository(db).update_fields(parsed, fields)
    except DuplicateKeyError as error:
        raise InvalidInput(
            f"Another attraction already uses the slug {fields['slug']!r}.", field="slug"
        ) from error
    if document is None:
        raise AttractionNotFound(attraction_id)
    return document


# --- reviews ----------------------------------------------------------------------------------


def _review_content(rating: int, text: str | None) -> tuple[int, str]:
    if not 1 <= rating <= 5:
        raise InvalidInput(f"`rating` must be 1 to 5 stars; got {rating}.", field="rating")
    body = (text or "").strip()
    if len(body) > MAX_REVIEW_TEXT:
        raise InvalidInput(
            f"`text` is {len(body)} characters; at most {MAX_REVIEW_TEXT}.", field="text"
        )
    return rating, body


async def add_review(
    *,
    db: Database,
    principal: Principal,
    attraction_id: str,
    rating: int,
    text: str | None,
    now: datetime | None = None,
) -> ReviewDocument:
    """The caller's review of an attraction; the rating totals move in the same transaction."""
    uid = require_user(principal)
    rating, body = _review_content(rating, text)
    parsed = _object_id(attraction_id, AttractionNotFound)
    attractions, reviews = AttractionRepository(db), ReviewRepository(db)
    existing = await reviews.find_own(parsed, uid)
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

    async def write(session: AsyncClientSession) -> None:
        if await attractions.collection.count_documents({"_id": parsed}, session=session) == 0:
            raise AttractionNotFound(attraction_id)
        await reviews.insert(document, session=session)
        await attractions.change_rating(parsed, by_sum=rating, by_count=1, session=session)

    try:
        await in_transaction(db, write)
    except DuplicateKeyError as error:
        # A second request of the same user won the race; the unique index kept one review.
        raced = await reviews.find_own(parsed, uid)
        raise AlreadyReviewed(str(raced["_id"]) if raced else "") from error
    return document  # type: ignore[return-value]


async def _own_review(
    reviews: ReviewRepository, review_id: str, uid: str, session: AsyncClientSession
) -> ReviewDocument:
    parsed = _object_id(review_id, ReviewNotFound)
    review = await reviews.get_in(parsed, session=session)
    if review is None:
        raise ReviewNotFound(review_id)
    if review["uid"] != uid:
        raise Forbidden("You can change only your own reviews.")
    return review


async def update_review(
    *,
    db: Database,
    principal: Principal,
    review_id: str,
    rating: int,
    text: str | None,
    now: datetime | None = None,
) -> ReviewDocument:
    """Edit the caller's own review; a visible review moves the totals by the difference."""
    uid = require_user(principal)
    rating, body = _review_content(rating, text)
    attractions, reviews = AttractionRepository(db), ReviewRepository(db)
    stamp = now or utcnow()

    async def write(session: AsyncClientSession) -> ReviewDocument:
        review = await _own_review(reviews, review_id, uid, session)
        updated = await reviews.set_fields(
            review["_id"], {"rating": rating, "text": body, "updatedAt": stamp}, session=session
        )
        if not review["hidden"]:
            await attractions.change_rating(
                review["attractionId"],
                by_sum=rating - review["rating"],
                by_count=0,
                session=session,
            )
        return updated

    return await in_transaction(db, write)


async def delete_review(*, db: Database, principal: Principal, review_id: str) -> ReviewDocument:
    """Delete the caller's own review; a visible one leaves the totals."""
    uid = require_user(principal)
    attractions, reviews = AttractionRepository(db), ReviewRepository(db)

    async def write(session: AsyncClientSession) -> ReviewDocument:
        review = await _own_review(reviews, review_id, uid, session)
        await reviews.delete(review["_id"], session=session)
        if not review["hidden"]:
            await attractions.change_rating(
                review["attractionId"], by_sum=-review["rating"], by_count=-1, session=session
            )
        return review

    return await in_transaction(db, write)


async def hide_review(
    *,
    db: Database,
    principal: Principal,
    review_id: str,
    hidden: bool,
    reason: str | None,
    now: datetime | None = None,
) -> ReviewDocument:
    """Hide a review from everyone and from the averages, or show it again (admins only)."""
    by = require_admin(principal)
    note = (reason or "").strip()
    if len(note) > 500:
        raise InvalidInput("`reason` is at most 500 characters.", field="reason")
    attractions, reviews = AttractionRepository(db), ReviewRepository(db)
    stamp = now or utcnow()

    async def write(session: AsyncClientSession) -> ReviewDocument:
        parsed = _object_id(review_id, ReviewNotFound)
        review = await reviews.get_in(parsed, session=session)
        if review is None:
            raise ReviewNotFound(review_id)
        fields: dict[str, Any] = {
            "hidden": hidden,
            "hiddenReason": (note or None) if hidden else None,
            "hiddenBy": by if hidden else None,
            "moderatedAt": stamp,
        }
        updated = await reviews.set_fields(parsed, fields, session=session)
        if review["hidden"] != hidden:
            sign = -1 if hidden else 1
            await attractions.change_rating(
                review["attractionId"],
                by_sum=sign * review["rating"],
                by_count=sign,
                session=session,
            )
        return updated

    return await in_transaction(db, write)


async def list_reviews(
    *,
    db: Database,
    principal: Principal,
    attraction_id: str,
    include_hidden: bool = False,
    first: int | None = None,
    after: str | None = None,
) -> Page[ReviewDocument]:
    """Reviews of an attraction, newest first; hidden ones only for administrators."""
    if include_hidden:
        require_admin(principal)
    parsed = _object_id(attraction_id, AttractionNotFound)
    return await ReviewRepository(db).page(
        attraction_id=parsed, include_hidden=include_hidden, first=first, after=after
    )


async def load_latest_reviews(
    *, db: Database, attraction_ids: Sequence[ObjectId], per_attraction: int
) -> list[list[ReviewDocument]]:
    """The newest visible reviews per attraction (DataLoader batch)."""
    found = await ReviewRepository(db).latest_for(attraction_ids, per_attraction)
    return [found.get(attraction_id, []) for attraction_id in attraction_ids]


# --- favourites -------------------------------------------------------------------------------


async def add_favorite(
    *, db: Database, principal: Principal, attraction_id: str, now: datetime | None = None
) -> AttractionDocument:
    """Save an attraction to the caller's favourites (idempotent)."""
    uid = require_user(principal)
    attraction = await get_attraction(db=db, attraction_id=attraction_id)
    if attraction is None:
        raise AttractionNotFound(attraction_id)
    await FavoriteRepository(db).add(uid, attraction["_id"], now or utcnow())
    return attraction


async def remove_favorite(
    *, db: Database, principal: Principal, attraction_id: str
) -> AttractionDocument:
    """Remove an attraction from the caller's favourites (idempotent)."""
    uid = require_user(principal)
    attraction = await get_attraction(db=db, attraction_id=attraction_id)
    if attraction is None:
        raise AttractionNotFound(attraction_id)
    await FavoriteRepository(db).remove(uid, attraction["_id"])
    return attraction


async def list_favorites(
    *, db: Database, principal: Principal, first: int | None, after: str | None
) -> Page[FavoriteDocument]:
    """The caller's favourites, most recently saved first."""
    uid = require_user(principal)
    return await FavoriteRepository(db).page(uid=uid, first=first, after=after)


async def load_favorite_flags(
    *, db: Database, principal: Principal, attraction_ids: Sequence[ObjectId]
) -> list[bool]:
    """Whether each attraction is among the caller's favourites (False when anonymous)."""
    if principal.uid is None:
        return [False] * len(attraction_ids)
    saved = await FavoriteRepository(db).favorite_ids(principal.uid, attraction_ids)
    return [attraction_id in saved for attraction_id in attraction_ids]


# --- events -----------------------------------------------------------------------------------


async def list_events(
    *,
    db: Database,
    start: datetime | None = None,
    end: datetime | None = None,
    near: NearInput | None = None,
    statuses: Sequence[EventStatus] = (),
    first: int | None = None,
    after: str | None = None,
    now: datetime | None = None,
) -> Page[EventDocument]:
    """Events overlapping [start, end] (from now on when neither is given), in start order."""
    if start is None and end is None:
        start = now or utcnow()
    for field, value in (("from", start), ("to", end)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"`{field}` needs a time zone, e.g. +07:00.", field=field)
    if start is not None and end is not None and end < start:
        raise InvalidInput("`to` must not be before `from`.", field="to")
    return await EventRepository(db).page(
        starts_before=end,
        ends_after=start,
        statuses=[status.value for status in statuses],
        near=near.validated() if near else None,
        first=first,
        after=after,
    )


async def get_event(*, db: Database, event_id: str) -> EventDocument | None:
    """One event, or None for an unknown id."""
    parsed = parse_object_id(event_id)
    if parsed is None:
        return None
    document: EventDocument | None = await EventRepository(db).get(parsed)  # type: ignore[assignment]
    return document


async def load_upcoming_events(
    *, db: Database, attraction_ids: Sequence[ObjectId], now: datetime | None = None
) -> list[list[EventDocument]]:
    """Events at each attraction that have not ended and are not called off (DataLoader)."""
    statuses = [s.value for s in (*ON_SCHEDULE, EventStatus.POSTPONED)]
    rows = await EventRepository(db).upcoming_for(
        attraction_ids, now=now or utcnow(), statuses=statuses
    )
    grouped: dict[ObjectId, list[EventDocument]] = {}
    for row in rows:
        if row["attractionId"] is not None:
            grouped.setdefault(row["attractionId"], []).append(row)
    return [grouped.get(attraction_id, []) for attraction_id in attraction_ids]


async def load_subscribed_flags(
    *, db: Database, principal: Principal, event_ids: Sequence[ObjectId]
) -> list[bool]:
    if principal.uid is None:
        return [False] * len(event_ids)
    subscribed = await EventSubscriptionRepository(db).subscribed_event_ids(
        principal.uid, event_ids
    )
    return [event_id in subscribed for event_id in event_ids]


async def _event_place(db: Database, fields: dict[str, Any]) -> dict[str, Any]:
    """Fill location, venue and district from the attraction the event takes place at."""
    if fields["attractionId"] is None:
        return fields
    attraction = await AttractionRepository(db).get(fields["attractionId"])
    if attraction is None:
        raise InvalidInput("`attractionId` names no attraction.", field="attractionId")
    fields["location"] = fields["location"] or attraction["location"]
    fields["venue"] = fields["venue"] or attraction["name"]
    fields["district"] = fields["district"] or attraction["district"]
    return fields


async def create_event(
    *, db: Database, principal: Principal, data: EventInput, now: datetime | None = None
) -> EventDocument:
    """Add an event (administrators only)."""
    require_admin(principal)
    fields = await _event_place(db, data.to_fields())
    now = now or utcnow()
    document = {
        "_id": ObjectId(),
        **fields,
        "scheduleVersion": 1,
        "createdAt": now,
        "updatedAt": now,
    }
    try:
        await EventRepository(db).insert(document)
    except DuplicateKeyError as error:
        raise InvalidInput(
            f"Another event already uses the slug {fields['slug']!r}.", field="slug"
        ) from error
    return document  # type: ignore[return-value]


def reminder_key(event_id: ObjectId, name: str, uid: str) -> str:
    """The outbox dedupe key of one reminder: re-subscribing never doubles it."""
    return f"tourism.event:{event_id}:{name}:{uid}"


def reminder_keys(event_id: ObjectId, uid: str) -> list[str]:
    return [reminder_key(event_id, name, uid) for name, _ in REMINDERS]


def _local_start(event: Mapping[str, Any]) -> str:
    starts_at: datetime = event["startsAt"]
    return starts_at.astimezone(PROVINCE_TZ).strftime("%H:%M %d/%m/%Y")


def _short(text: str | None, limit: int = 80) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _schedule_reminders(
    db: Database,
    session: AsyncClientSession,
    event: Mapping[str, Any],
    uids: Sequence[str],
    now: datetime,
) -> int:
    """Queue the day-before and two-hours-before reminders; returns how many per user."""
    if EventStatus(event["status"]) not in ON_SCHEDULE:
        return 0
    name_vi, name_en = _short(pick(event["name"], "vi")), _short(pick(event["name"], "en"))
    when = _local_start(event)
    texts = {
        "reminder-1d": (
            {"vi": f"Ngày mai: {name_vi}", "en": f"Tomorrow: {name_en}"},
            {"vi": f"Bắt đầu lúc {when}.", "en": f"Starts at {when} (Vietnam time)."},
        ),
        "reminder-2h": (
            {"vi": f"Sắp bắt đầu: {name_vi}", "en": f"Starting soon: {name_en}"},
            {"vi": f"Còn khoảng 2 giờ, bắt đầu lúc {when}.", "en": f"In about 2 hours, at {when}."},
        ),
    }
    scheduled = 0
    for name, lead in REMINDERS:
        send_at = event["startsAt"] - lead
        if send_at <= now or send_at - now > MAX_REMINDER_AHEAD:
            continue
        scheduled += 1
        title, body = texts[name]
        for uid in uids:
            await outbox.enqueue(
                db=db,
                session=session,
                user_ids=[uid],
                title=title,
                body=body,
                category="tourism.event.reminder",
                data={"eventId": str(event["_id"]), "kind": name},
                send_at=send_at,
                dedupe_key=reminder_key(event["_id"], name, uid),
                sender="tourism",
            )
    return scheduled


async def _cancel_reminders(
    db: Database, session: AsyncClientSession, event_id: ObjectId, uids: Sequence[str]
) -> int:
    keys = [key for uid in uids for key in reminder_keys(event_id, uid)]
    cancelled = 0
    for start in range(0, len(keys), PUSH_BATCH):
        cancelled += await outbox.cancel_scheduled(
            db=db, session=session, dedupe_keys=keys[start : start + PUSH_BATCH]
        )
    return cancelled


async def _tell_subscribers(
    db: Database, session: AsyncClientSession, event: Mapping[str, Any], uids: Sequence[str]
) -> None:
    """Push the change of plans (postponed, cancelled, new date) to everyone subscribed."""
    status = EventStatus(event["status"])
    name_vi, name_en = _short(pick(event["name"], "vi")), _short(pick(event["name"], "en"))
    when = _local_start(event)
    title, body = {
        EventStatus.POSTPONED: (
            {"vi": f"Hoãn: {name_vi}", "en": f"Postponed: {name_en}"},
            {
                "vi": "Sự kiện đã hoãn; bạn sẽ được báo khi có ngày mới.",
                "en": "The event is postponed; you will be told the new date.",
            },
        ),
        EventStatus.CANCELLED: (
            {"vi": f"Đã hủy: {name_vi}", "en": f"Cancelled: {name_en}"},
            {"vi": "Sự kiện đã bị hủy.", "en": "The event has been cancelled."},
        ),
    }.get(
        status,
        (
            {"vi": f"Đổi lịch: {name_vi}", "en": f"New date: {name_en}"},
            {"vi": f"Lịch mới: bắt đầu lúc {when}.", "en": f"Now starts at {when}."},
        ),
    )
    for start in range(0, len(uids), PUSH_BATCH):
        await outbox.enqueue(
            db=db,
            session=session,
            user_ids=uids[start : start + PUSH_BATCH],
            title=title,
            body=body,
            category="tourism.event.changed",
            data={"eventId": str(event["_id"]), "status": status.value},
            sender="tourism",
        )


async def update_event(
    *,
    db: Database,
    principal: Principal,
    event_id: str,
    data: EventInput,
    now: datetime | None = None,
) -> EventDocument:
    """Replace an event's details (administrators only).

    Postponing or cancelling cancels subscribers' reminders and tells them; a new date (or a
    return to the schedule) re-schedules the reminders and tells them the new date. The event and
    its notifications commit together.
    """
    require_admin(principal)
    parsed = _object_id(event_id, EventNotFound)
    fields = await _event_place(db, data.to_fields())
    now = now or utcnow()
    events, subscriptions = EventRepository(db), EventSubscriptionRepository(db)

    async def write(session: AsyncClientSession) -> EventDocument:
        before = await events.get_in(parsed, session=session)
        if before is None:
            raise EventNotFound(event_id)
        old_status, new_status = EventStatus(before["status"]), EventStatus(fields["status"])
        moved = before["startsAt"] != fields["startsAt"]
        back_on = old_status not in ON_SCHEDULE and new_status in ON_SCHEDULE
        changes = dict(fields, updatedAt=now)
        if moved or back_on:
            changes["scheduleVersion"] = before.get("scheduleVersion", 1) + 1
        try:
            after = await events.set_fields(parsed, changes, session=session)
        except DuplicateKeyError as error:
            raise InvalidInput(
                f"Another event already uses the slug {fields['slug']!r}.", field="slug"
            ) from error
        if new_status == old_status and not moved:
            return after
        uids = await subscriptions.subscribers(parsed, session=session)
        if not uids:
            return after
        await _cancel_reminders(db, session, parsed, uids)
        if new_status in ON_SCHEDULE:
            await _schedule_reminders(db, session, after, uids, now)
        if new_status in CALLED_OFF or (new_status in ON_SCHEDULE and (moved or back_on)):
            await _tell_subscribers(db, session, after, uids)
        return after

    return await in_transaction(db, write)


async def subscribe_to_event(
    *, db: Database, principal: Principal, event_id: str, now: datetime | None = None
) -> tuple[EventDocument, int]:
    """Remind the caller the day before and two hours before; returns the event and how many
    reminders are scheduled (0 while postponed: they come when it has a date again)."""
    uid = require_user(principal)
    parsed = _object_id(event_id, EventNotFound)
    now = now or utcnow()
    events, subscriptions = EventRepository(db), EventSubscriptionRepository(db)

    async def write(session: AsyncClientSession) -> tuple[EventDocument, int]:
        event = await events.get_in(parsed, session=session)
        if event is None:
            raise EventNotFound(event_id)
        status = EventStatus(event["status"])
        if status in (EventStatus.CANCELLED, EventStatus.FINISHED) or event["endsAt"] <= now:
            raise EventNotOpen("over" if status is not EventStatus.CANCELLED else "cancelled")
        await subscriptions.add(
            {"_id": ObjectId(), "eventId": parsed, "uid": uid, "createdAt": now}, session=session
        )
        # A repeated subscribe enqueues with the same dedupe keys: the stored reminders stand.
        scheduled = await _schedule_reminders(db, session, event, [uid], now)
        return event, scheduled

    return await in_transaction(db, write)


async def unsubscribe_from_event(
    *, db: Database, principal: Principal, event_id: str
) -> EventDocument:
    """Stop reminders of an event for the caller (idempotent)."""
    uid = require_user(principal)
    parsed = _object_id(event_id, EventNotFound)
    events, subscriptions = EventRepository(db), EventSubscriptionRepository(db)

    async def write(session: AsyncClientSession) -> EventDocument:
        event = await events.get_in(parsed, session=session)
        if event is None:
            raise EventNotFound(event_id)
        await subscriptions.remove(parsed, uid, session=session)
        await _cancel_reminders(db, session, parsed, [uid])
        return event

    return await in_transaction(db, write)


# --- itineraries ------------------------------------------------------------------------------


async def list_itineraries(
    *, db: Database, theme: ItineraryTheme | None, first: int | None, after: str | None
) -> Page[ItineraryDocument]:
    """Itineraries, optionally of one theme."""
    return await ItineraryRepository(db).page(
        theme=theme.value if theme else None, first=first, after=after
    )


async def get_itinerary(*, db: Database, itinerary_id: str) -> ItineraryDocument | None:
    parsed = parse_object_id(itinerary_id)
    if parsed is None:
        return None
    document: ItineraryDocument | None = await ItineraryRepository(db).get(parsed)  # type: ignore[assignment]
    return document


async def _check_stops(db: Database, fields: Mapping[str, Any]) -> None:
    wanted = [stop["attractionId"] for stop in fields["stops"]]
    existing = await AttractionRepository(db).existing_ids(wanted)
    for index, attraction_id in enumerate(wanted):
        if attraction_id not in existing:
            raise InvalidInput(
                f"`stops[{index}].attractionId` names no attraction.",
                field=f"stops[{index}].attractionId",
            )


async def create_itinerary(
    *, db: Database, principal: Principal, data: ItineraryInput, now: datetime | None = None
) -> ItineraryDocument:
    """Add an itinerary (administrators only)."""
    require_admin(principal)
    fields = data.to_fields()
    await _check_stops(db, fields)
    now = now or utcnow()
    document = {"_id": ObjectId(), **fields, "createdAt": now, "updatedAt": now}
    try:
        await ItineraryRepository(db).insert(document)
    except DuplicateKeyError as error:
        raise InvalidInput(
            f"Another itinerary already uses the slug {fields['slug']!r}.", field="slug"
        ) from error
    return document  # type: ignore[return-value]


async def update_itinerary(
    *,
    db: Database,
    principal: Principal,
    itinerary_id: str,
    data: ItineraryInput,
    now: datetime | None = None,
) -> ItineraryDocument:
    """Replace an itinerary (administrators only)."""
    require_admin(principal)
    parsed = _object_id(itinerary_id, ItineraryNotFound)
    fields = data.to_fields()
    await _check_stops(db, fields)
    try:
        document = await ItineraryRepository(db).update_fields(
            parsed, {**fields, "updatedAt": now or utcnow()}
        )
    except DuplicateKeyError as error:
        raise InvalidInput(
            f"Another itinerary already uses the slug {fields['slug']!r}.", field="slug"
        ) from error
    if document is None:
        raise ItineraryNotFound(itinerary_id)
    return document
