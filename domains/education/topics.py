"""The notifications topic of a school: what its followers subscribe to and what its
announcements and round reminders are sent to."""

from domains.kernel.errors import InvalidInput
from domains.notifications import outbox


def school_topic(school_id: str) -> str:
    """``school.<id>``; an empty or over-long id is the client's mistake, named as ``schoolId``."""
    try:
        return outbox.topic_name("school", school_id)
    except ValueError:
        shown = f"{school_id[:40]!r}" if school_id else "empty"
        raise InvalidInput(
            f"`schoolId` must be a school's id; got {shown}.", field="schoolId"
        ) from None
