"""Vietnamese procedure questions as people type them: a mistyped word inside a name's pair,
the language's words typed with their accents, abbreviations and ages, and the choices the
resolver settles (actions/resolve.py, actions/vocabulary.py, actions/text.py; session 10).

Pure Python, on the demo procedure names; the everyday names are written here, not read from
the catalogue's list. Questions in my own words.
"""

from pathlib import Path

import pytest
from actions import resolve, text
from actions.vocabulary import Vocabulary, question_texts

from tests.bots.procedure_names import decide_ranked, procedure_index

NLU_DATA = Path(__file__).resolve().parents[2] / "bots" / "data" / "nlu"

PASSPORT = "1.001456"
BIRTH = "1.001193"
BIRTH_AGAIN = "1.004884"
BIRTH_COPY = "2.000635"
ID_CARD = "2.000200"
ID_CARD_CHILD = "1.014062"
ID_CARD_REISSUE = "2.001194"
LICENCE_REISSUE = "3.000348"
BUSINESS = "1.001612"
BUSINESS_CHANGE = "2.000720"
SIGNATURE = "2.000884"
COPIES = "2.000815"
LAND_TRANSFER = "1.013831"
VEHICLE = "1.010910"

SYNONYMS = {
    "cccd": ["can cuoc"],
    "cong chung": ["chung thuc"],
    "photo cong chung": ["chung thuc ban sao"],
    "khai sinh lai": ["dang ky lai khai sinh"],
    "sang ten": ["dang ky bien dong", "chuyen nhuong"],
    "dang ky xe hoi": ["dang ky xe", "bien so xe"],
    "hkd": ["ho kinh doanh"],
}


@pytest.fixture(scope="module")
def procedures() -> resolve.NameIndex:
    index = procedure_index()
    index.question_pairs = {"giay to", "can giay", "thu tuc"}
    index.language_words = {"va", "cua", "cho", "o", "ve"}
    return index


@pytest.fixture(scope="module")
def vocabulary(procedures: resolve.NameIndex) -> Vocabulary:
    names = [name for found in procedures.names.values() for name in found]
    return Vocabulary([*names, *question_texts(NLU_DATA)])


def _decide(
    index: resolve.NameIndex, question: str, *ranked: tuple[str, float]
) -> resolve.Decision:
    return decide_ranked(index, question, ranked, SYNONYMS)


def _answered(decision: resolve.Decision) -> str | None:
    return decision.options[0].candidate.id if decision.kind == "answer" else None


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        # A tone mark wrong, a letter missing or changed, inside a pair a name holds.
        ("xin hộ chiêu cho bé", "xin hộ chiếu cho bé"),
        ("xin hộ chíu cho bé", "xin hộ chiếu cho bé"),
        ("giấy khai sin của con bị rách", "giấy khai sinh của con bị rách"),
        ("xe mới chưa có biển sô", "xe mới chưa có biển số"),
        ("lam giay khai sin o dau", "lam giay khai sinh o dau"),
    ],
)
def test_a_word_mistyped_inside_a_names_pair_is_read_as_the_name_writes_it(
    procedures: resolve.NameIndex, vocabulary: Vocabulary, typed: str, read: str
) -> None:
    assert procedures.mended(typed, vocabulary.knows_written) == read


@pytest.mark.parametrize(
    "typed",
    [
        # A word of how questions ask beside a name's word ("thẻ cần", not "thẻ căn").
        "đổi thẻ cần mang những gì",
        # A word of the language is no typo of a name's ("vừa" is no "và").
        "bố tôi bị khuyết tật vừa mất",
        # Words as the names write them, and words no name pairs with.
        "trợ cấp thất nghiệp nộp ở đâu",
        "đăng ký tạm trú cho sinh viên",
    ],
)
def test_words_typed_right_or_of_the_language_stay_as_typed(
    procedures: resolve.NameIndex, vocabulary: Vocabulary, typed: str
) -> None:
    assert procedures.mended(typed, vocabulary.knows_written) == typed


def test_the_languages_words_typed_with_accents_are_known(vocabulary: Vocabulary) -> None:
    assert vocabulary.unknown("ơi cho em hỏi sửa lại thì chưa được à") == []


def test_the_old_place_of_a_tone_mark_is_the_same_word() -> None:
    assert text.tone_placed("thanh hoá, hoà bình, thuý") == "thanh hóa, hòa bình, thúy"
    # Not where the pair does not end the syllable, nor "uy" after "q".
    assert text.tone_placed("hoàn thành quý") == "hoàn thành quý"
    known = Vocabulary(["Thanh Hóa"])
    assert known.unknown("ở Thanh Hoá") == []


def test_an_age_typed_short_is_an_age(procedures: resolve.NameIndex) -> None:
    card = procedures.names[ID_CARD]
    child = procedures.names[ID_CARD_CHILD]
    assert resolve.age_fits("làm cccd cho cháu 15t", card) is True
    assert resolve.age_fits("làm cccd cho cháu 15t", child) is False
    assert Vocabulary(["căn cước"]).unknown("căn cước 9t") == []


def test_dk_is_dang_ky() -> None:
    assert resolve.spelled_out("đk kết hôn ở đâu") == "đăng ký kết hôn ở đâu"
    assert resolve.spelled_out("dk thuong tru") == "dang ky thuong tru"


def test_how_a_question_asks_or_says_when_is_not_unexplained(
    procedures: resolve.NameIndex,
) -> None:
    # "giấy tờ" and "lần đầu" are in other names, but any procedure may be asked with them.
    assert procedures.unexplained("làm hộ chiếu lần đầu cần giấy tờ gì", PASSPORT) == 0.0


def test_asked_the_first_time_the_card_made_not_the_one_reissued(
    procedures: resolve.NameIndex,
) -> None:
    decision = _decide(
        procedures,
        "cháu 15t muốn làm cccd lần đầu thì lên đâu",
        (ID_CARD, 0.05),
        (ID_CARD_REISSUE, 0.04),
        (ID_CARD_CHILD, 0.03),
    )
    assert _answered(decision) == ID_CARD


def test_lai_belongs_to_the_verb_before_it(procedures: resolve.NameIndex) -> None:
    # "sửa lại | giấy phép": no "lại giấy" of *Cấp lại giấy phép lái xe*.
    shared = procedures.evidence("sửa lại giấy phép hkd", LICENCE_REISSUE)[1]
    assert "lai giay" not in shared
    assert "lai giay" in procedures.evidence("cấp lại giấy phép lái xe", LICENCE_REISSUE)[1]


def test_an_everyday_name_said_whole_settles_the_choice_for_its_record(
    procedures: resolve.NameIndex,
) -> None:
    decision = _decide(
        procedures,
        "photo công chứng học bạ hết bao nhiêu tiền",
        (SIGNATURE, 0.05),
        (COPIES, 0.04),
    )
    assert _answered(decision) == COPIES


def test_no_copy_asked_the_record_the_everyday_name_says(procedures: resolve.NameIndex) -> None:
    decision = _decide(
        procedures,
        "giấy khai sinh của bà thất lạc, sổ hộ tịch ở xã cũng không còn, muốn khai sinh lại",
        (BIRTH_COPY, 0.25),
        (BIRTH_AGAIN, 0.1),
        (BIRTH, 0.05),
    )
    assert _answered(decision) == BIRTH_AGAIN


def test_neither_record_would_be_said_alone_so_not_found(procedures: resolve.NameIndex) -> None:
    # "sang tên" is the land transfer's everyday name, "xe hơi" the vehicle's; the licence's
    # re-issue shares "lại" and "xe" only: a car's change of owner is not in the catalogue.
    decision = _decide(
        procedures,
        "sang tên xe hơi cũ mua lại của người quen",
        (LAND_TRANSFER, 0.4),
        (LICENCE_REISSUE, 0.05),
        (VEHICLE, 0.04),
    )
    assert decision.kind == "unsure"


def test_where_to_go_is_where_to_apply_and_papers_for_land_is_no_documents_asked() -> None:
    assert text.aspect_in("làm căn cước thì đi đâu", "procedures") == "agency"
    assert (
        text.aspect_in("muốn đăng ký lại khai sinh để làm giấy tờ đất thì làm sao", "procedures")
        == "steps"
    )


def test_a_long_question_is_searched_by_the_pairs_names_hold_and_its_everyday_names(
    procedures: resolve.NameIndex,
) -> None:
    story = (
        "bà ngoại mất đã lâu, để lại ngôi nhà cho mấy chị em, giờ cả nhà bàn xong rồi, muốn "
        "làm thừa kế rồi sang tên cho em út thì đi những đâu"
    )
    assert resolve.rare_words(story, procedures, SYNONYMS) == "thua ke sang ten"
    # A short question is searched as typed.
    assert resolve.rare_words("làm thừa kế nhà đất ở đâu", procedures, SYNONYMS) == ""


def test_one_pair_shared_among_words_no_catalogue_knows_is_not_said(
    procedures: resolve.NameIndex,
) -> None:
    question = "rút tiền thừa kế trong sổ tiết kiệm ở ngân hàng"
    scored = resolve.score(
        question,
        [resolve.Candidate("procedure", LAND_TRANSFER, LAND_TRANSFER, 1.0, 0.6)],
        procedures,
        SYNONYMS,
    )

    def decided(unknown: list[str], story: bool = False) -> resolve.Decision:
        return resolve.decide(
            scored,
            procedures.min_evidence(),
            rival_answers=False,
            phrase_needed=True,
            unknown=unknown,
            heads=True,
            story=story,
        )

    # Three words no catalogue knows beside the one pair: perhaps another thing.
    assert decided(["rut", "tiet", "kiem", "ngan"]).kind == "unsure"
    # Two, in a short question: everyday words the vocabulary lacks are common; answered.
    assert _answered(decided(["tiet", "kiem"])) == LAND_TRANSFER
    # Two suffice where the record was found by a long question's rare words.
    assert decided(["tiet", "kiem"], story=True).kind == "unsure"


def test_thu_tuc_names_no_procedure(procedures: resolve.NameIndex) -> None:
    # Every procedure is a "thủ tục"; one name (the linked procedures') holds the pair.
    linked = "2.000986"
    assert procedures.evidence("ly hôn thủ tục thế nào", linked) == (0.0, ())
    assert "khai sinh" in procedures.evidence("thủ tục liên thông khai sinh cho bé", linked)[1]


def test_a_procedure_named_by_the_pair_its_name_begins_with(procedures: resolve.NameIndex) -> None:
    transfer = "2.002481"
    scored = resolve.score(
        "chuyển trường cấp 2 cho con từ Đà Nẵng về",
        [resolve.Candidate("procedure", transfer, transfer, 1.0, 0.6)],
        procedures,
        SYNONYMS,
    )
    decision = resolve.decide(scored, procedures.min_evidence(), rival_answers=False)
    assert resolve.headed_procedure(decision, procedures)
