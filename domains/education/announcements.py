"""What a school announces: its staff publish (stored, pushed to its followers and put in their
inboxes, in one transaction), and anyone reads what they may see."""

from bson import ObjectId

from domains.education.errors import SchoolNotFound
from domains.education.models import AnnouncementDocument, LocalizedDict
from domains.education.store import EducationStore
from domains.education.topics import school_topic
from domains.kernel.auth import Principal, require_school_staff
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.pagination import Page
from domains.kernel.types import Session
from domains.kernel.validation import localized_text
from domains.notifications import outbox

MAX_TITLE = 120  # an announcement title is also the push title
MAX_BODY = 5000
PUSH_BODY_CHARS = 240
AUDIENCES = ("parents", "everyone")


def visible_audiences(principal: Principal, school_id: str) -> list[str]:
    """Everyone sees public announcements; signed-in users (parents follow schools signed in)
    and the school's staff also see those for parents."""
    if principal.is_authenticated:
        return list(AUDIENCES)
    return ["everyone"]


async def list_announcements(
    *,
    caller: Caller[EducationStore],
    school_id: str,
    first: int | None = None,
    after: str | None = None,
) -> Page[AnnouncementDocument]:
    """A school's announcements, newest first, as far as the caller may see them."""
    store = caller.store
    school_id = school_id.strip()
    if await store.schools.get_school(school_id) is None:
        raise SchoolNotFound(school_id)
    return await store.announcements.page(
        school_id=school_id,
        audiences=visible_audiences(caller.principal, school_id),
        first=first,
        after=after,
    )


async def get_announcement(
    *, caller: Caller[EducationStore], announcement_id: str
) -> AnnouncementDocument | None:
    """One announcement, if `announcements` would show it to the caller."""
    if not ObjectId.is_valid(announcement_id):
        return None
    found = await caller.store.announcements.get_announcement(ObjectId(announcement_id))
    if found is None or found["audience"] not in visible_audiences(
        caller.principal, found["schoolId"]
    ):
        return None
    return found


def _push_body(body: LocalizedDict) -> LocalizedDict:
    return {
        lang: value
        if len(value) <= PUSH_BODY_CHARS
        else value[: PUSH_BODY_CHARS - 1].rstrip() + "…"
        for lang, value in body.items()
    }


async def publish_announcement(
    *,
    caller: Caller[EducationStore],
    school_id: str,
    title: LocalizedDict,
    body: LocalizedDict,
    audience: str,
) -> AnnouncementDocument:
    """Publish for a school (its staff or an admin): stored, pushed to the school's followers
    and put in their inboxes, in one transaction."""
    store = caller.store
    school_id = school_id.strip()
    uid = require_school_staff(caller.principal, school_id)
    if await store.schools.get_school(school_id) is None:
        raise SchoolNotFound(school_id)
    if audience not in AUDIENCES:
        raise InvalidInput("`audience` is parents or everyone.", field="audience")
    document: AnnouncementDocument = {
        "_id": ObjectId(),
        "schoolId": school_id,
        "title": localized_text(title, field="title", limit=MAX_TITLE),
        "body": localized_text(body, field="body", limit=MAX_BODY),
        "audience": audience,
        "publishedAt": utcnow(),
        "publishedBy": uid,
    }

    async def write(session: Session) -> None:
        await store.announcements.insert(document, session=session)
        await outbox.enqueue(
            db=store.db,
            session=session,
            topic=school_topic(school_id),
            title=document["title"],
            body=_push_body(document["body"]),
            category="education.announcement",
            data={"schoolId": school_id, "announcementId": str(document["_id"])},
            dedupe_key=f"education.announcement:{document['_id']}",
            sender="education",
            # For parents: their signed-in devices, not anonymous installations following it.
            signed_in_only=audience == "parents",
        )

    await store.transaction(write)
    return document
