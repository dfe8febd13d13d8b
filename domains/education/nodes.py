"""``node(id:)`` for education: schools and admission rounds (public, as `school` and
`admissionRound` answer) and announcements (as `announcements` shows them to the caller)."""

from domains.education import announcements, directory, rounds
from domains.education.types import (
    AdmissionRound,
    School,
    SchoolAnnouncement,
    education_caller,
    education_store,
)
from domains.kernel.context import Info
from domains.kernel.node import Node, object_id_of


async def find_node(info: Info, node_id: str) -> Node | None:
    """The education object with this id, as the caller may see it."""
    store, language = education_store(info), info.context.lang(None)
    if object_id_of(node_id) is None:
        school = await directory.get_school(store=store, school_id=node_id)
        return School.from_document(school, language) if school else None
    if found := await rounds.get_round(store=store, round_id=node_id):
        return AdmissionRound.from_document(found, language)
    caller = education_caller(info)
    if notice := await announcements.get_announcement(caller=caller, announcement_id=node_id):
        return SchoolAnnouncement.from_document(notice, language)
    return None
