"""Choices between two records the question settles (ninth session, issue 14): "Bạn muốn hỏi
về A hay B?" is not asked where the words say which.

Pure Python, on the demo procedure names; the phrasings are written here.
"""

import pytest
from actions import resolve

from tests.bots.procedure_names import decide_ranked, procedure_index

TEMPORARY_RESIDENCE = "1.004194"
EXTENSION = "1.002755"
HOUSEHOLD_BUSINESS = "1.001612"
BUSINESS_CHANGE = "2.000720"


@pytest.fixture(scope="module")
def procedures() -> resolve.NameIndex:
    index = procedure_index()
    index.question_pairs = {"giay to", "can giay"}
    return index


def _decide(
    index: resolve.NameIndex, question: str, *ranked: tuple[str, float]
) -> resolve.Decision:
    return decide_ranked(index, question, ranked, {}, heads=True)


@pytest.mark.parametrize(
    ("question", "ranked", "expected"),
    [
        # No change asked: the record that makes it, not the one that extends or changes it.
        ("tạm trú làm ở đâu", (TEMPORARY_RESIDENCE, EXTENSION), TEMPORARY_RESIDENCE),
        ("tam tru lam online duoc khong", (EXTENSION, TEMPORARY_RESIDENCE), TEMPORARY_RESIDENCE),
        ("mở hộ kinh doanh bán tạp hóa", (BUSINESS_CHANGE, HOUSEHOLD_BUSINESS), HOUSEHOLD_BUSINESS),
        # A change asked ("đổi", "chuyển", "hết hạn"): the record that changes it.
        (
            "hộ kinh doanh đổi sang địa điểm khác phải làm gì",
            (HOUSEHOLD_BUSINESS, BUSINESS_CHANGE),
            BUSINESS_CHANGE,
        ),
        (
            "ho kinh doanh chuyen cho khac thi lam the nao",
            (HOUSEHOLD_BUSINESS, BUSINESS_CHANGE),
            BUSINESS_CHANGE,
        ),
    ],
)
def test_of_a_record_and_its_change_the_question_says_which(
    procedures: resolve.NameIndex, question: str, ranked: tuple[str, str], expected: str
) -> None:
    decision = _decide(procedures, question, (ranked[0], 0.05), (ranked[1], 0.0))
    assert decision.kind == "answer", decision.why
    assert [option.candidate.id for option in decision.options] == [expected]


def test_a_change_of_another_thing_is_not_the_change_asked(
    procedures: resolve.NameIndex,
) -> None:
    # The driving licence's re-issue changes no household business: "lại" asks a change, but
    # not of a licence the question does not name.
    question = "chuyển quán sang chỗ mới có phải đăng ký lại giấy phép hộ kinh doanh không"
    decision = _decide(procedures, question, (HOUSEHOLD_BUSINESS, 0.05), ("3.000348", 0.0))
    assert "3.000348" not in [option.candidate.id for option in decision.options[:1]]


def _scored(kind: str, record_id: str, shared: tuple[str, ...]) -> resolve.Scored:
    return resolve.Scored(resolve.Candidate(kind, record_id, record_id), 3.0, shared, 3.0)


def test_a_catalogue_sharing_a_syllable_is_no_rival_of_one_sharing_a_phrase() -> None:
    separation = _scored("procedure", "1.010038", ("tach ho",))
    weekend = _scored("itinerary", "sam-son-weekend", ("cuoi",))
    decisions = {
        "procedures": resolve.Decision("unsure", [separation]),
        "tourism": resolve.Decision("choose", [weekend]),
        "health": resolve.Decision("none"),
    }
    assert set(resolve.phrased(decisions)) == {"procedures", "health"}
    # No catalogue sharing a phrase: all stay (the resolver's other rules decide).
    lone = {
        **decisions,
        "procedures": resolve.Decision("unsure", [_scored("procedure", "p", ("ho",))]),
    }
    assert resolve.phrased(lone) == lone


def test_a_correction_asked_is_no_re_issue(procedures: resolve.NameIndex) -> None:
    # "sửa" asks a change, but the re-registration of a birth is for a lost one.
    question = "giấy khai sinh của con bị sai tên thì sửa ở đâu"
    decision = _decide(procedures, question, ("1.001193", 0.05), ("1.004884", 0.0))
    assert decision.kind != "answer" or decision.best.candidate.id != "1.004884"


def test_a_pair_beyond_place_names() -> None:
    index = resolve.NameIndex(
        {
            "museum": ["Bảo tàng tỉnh Thanh Hóa"],
            "hospital": ["Bệnh viện Nhi Thanh Hóa"],
            "school": ["Trường THPT Hàm Rồng Thanh Hóa"],
            "temple": ["Đền Bà Triệu"],
        }
    )
    index.localities = {"thanh hoa"}
    candidates = [resolve.Candidate("attraction", key, key) for key in ("museum", "temple")]
    museum, temple = resolve.score("đền bà triệu ở tp thanh hóa", candidates, index, {})
    assert not resolve.pair_beyond_place_names(museum, index)
    assert resolve.pair_beyond_place_names(temple, index)


def test_a_pair_with_a_word_of_the_language_is_no_pair_beyond_place_names() -> None:
    index = resolve.NameIndex(
        {
            "permit": ["Construction permit for houses"],
            "museum": ["Thanh Hoa Provincial Museum"],
            "hospital": ["Thanh Hoa Children's Hospital"],
            "school": ["Thanh Hoa Medical College"],
        }
    )
    index.localities = {"thanh hoa"}
    index.language_words = {"for", "a", "in"}  # as the catalogues' texts give them
    candidates = [resolve.Candidate("procedure", "permit", "permit")]
    (permit,) = resolve.score("work permit for a teacher in Thanh Hoa", candidates, index, {})
    assert not resolve.pair_beyond_place_names(permit, index)


def test_a_change_asked_of_a_close_choice_never_states_the_making_record(
    procedures: resolve.NameIndex,
) -> None:
    # Offered as close (not twins), a change asked is not settled here (folded everyday words
    # read as a change, review R1), but the record that makes it is never stated.
    question = "tạm trú của em hết hạn rồi thì làm sao"
    decision = _decide(procedures, question, (TEMPORARY_RESIDENCE, 0.05), (EXTENSION, 0.0))
    assert decision.kind != "answer" or decision.best.candidate.id == EXTENSION


@pytest.mark.parametrize(
    ("question", "change"),
    [
        # Review R1, R17: typed with diacritics, a one-syllable change word counts as written.
        ("mình thấy bảo tạm trú làm online được, làm thế nào", False),
        ("phải đợi bao lâu mới có tạm trú", False),
        ("đăng ký tạm trú ở xã Quảng Cát", False),
        ("chuyện đăng ký tạm trú cho người thuê trọ thế nào", False),
        ("đổi bằng lái ở đâu", True),
        ("chuyển hộ kinh doanh sang chỗ khác", True),
        ("tạm trú hết hạn rồi", True),
        # Typed without any diacritics, the folded word is read.
        ("doi bang lai o dau", True),
    ],
)
def test_a_change_word_typed_with_diacritics_counts_as_written(question: str, change: bool) -> None:
    assert resolve.asks_change(question) is change
