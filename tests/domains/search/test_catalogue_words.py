"""A facility or school is found by the kind people ask for, not only by its name's words."""

from domains.education.read_side import SCHOOL_SPEC
from domains.education.read_side import index_document as school_document
from domains.health.catalogue import SPEC as FACILITY_SPEC
from domains.health.catalogue import entry as facility_entry
from domains.search import SearchIndex


def first(index: SearchIndex, text: str) -> str:
    return index.search(text).hits[0].id


def test_a_private_hospital_is_found_as_private() -> None:
    index = SearchIndex(FACILITY_SPEC)
    index.replace_all(
        [
            {
                "id": "eye",
                **facility_entry({"name": {"vi": "Bệnh viện Mắt"}, "level": "provincial"}),
            },
            {
                "id": "hl",
                **facility_entry({"name": {"vi": "Bệnh viện Hợp Lực"}, "level": "private"}),
            },
        ]
    )
    assert first(index, "bệnh viện tư nhân") == "hl"
    assert first(index, "private hospital") == "hl"
    assert first(index, "benh vien tuyen tinh") == "eye"


def test_a_private_school_is_found_as_private() -> None:
    index = SearchIndex(SCHOOL_SPEC)
    index.replace_all(
        [
            {
                "id": "pub",
                **school_document({"name": {"vi": "Trường THCS A"}, "ownership": "public"}),
            },
            {
                "id": "pri",
                **school_document({"name": {"vi": "Trường THCS B"}, "ownership": "private"}),
            },
        ]
    )
    assert first(index, "trường tư thục") == "pri"
    assert first(index, "thcs cong lap") == "pub"
