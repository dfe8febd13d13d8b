"""A question that goes on from a pair of a record's name to another record's phrase asks about
that other thing: "cấp lại giấy phép xây dựng" is no *Cấp lại giấy phép lái xe* (it was stated:
session 10 review). Offered as the closest, never stated. Questions in my own words."""

import pytest
from actions import resolve

from tests.bots.procedure_names import decide_ranked, procedure_index

LICENCE_REISSUE = "3.000348"
LICENCE_EXCHANGE = "3.000347"
PARENT_CHILD = "1.001022"


@pytest.fixture(scope="module")
def procedures() -> resolve.NameIndex:
    return procedure_index()


@pytest.mark.parametrize(
    ("question", "ranked"),
    [
        ("cấp lại giấy phép xây dựng nhà ở bị mất", LICENCE_REISSUE),
        ("cap lai giay phep xay dung o dau", LICENCE_REISSUE),
        ("đổi giấy phép xây dựng sang tên mới", LICENCE_EXCHANGE),
    ],
)
def test_another_records_thing_asked_is_not_stated(
    procedures: resolve.NameIndex, question: str, ranked: str
) -> None:
    decision = decide_ranked(procedures, question, ((ranked, 0.6),), {})
    assert decision.kind != "answer", decision.why


@pytest.mark.parametrize(
    ("question", "ranked"),
    [
        # The name's own phrase goes on, or nothing another name holds follows.
        ("cấp lại giấy phép lái xe bị mất ở đâu", LICENCE_REISSUE),
        ("giấy phép lái xe hết hạn đổi ở đâu", LICENCE_EXCHANGE),
        # What the name does ("đăng ký") said of someone else, beside what is asked.
        ("bố mẹ chưa đăng ký kết hôn thì đăng ký nhận cha cho con thế nào", PARENT_CHILD),
    ],
)
def test_the_records_own_thing_is_still_stated(
    procedures: resolve.NameIndex, question: str, ranked: str
) -> None:
    decision = decide_ranked(procedures, question, ((ranked, 0.6),), {})
    assert decision.kind == "answer" and decision.options[0].candidate.id == ranked, decision.why
