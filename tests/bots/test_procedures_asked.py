"""What a procedure question asks of a paper: made, changed, renewed, copied, first time, with
a foreign party (actions/resolve.py, issue 14; session 9).

Pure Python, on the demo procedure names; the everyday names are written here, not read from
the catalogue's list. Questions in my own words.
"""

import pytest
from actions import resolve

from tests.bots.procedure_names import decide_ranked, procedure_index

TEMPORARY_RESIDENCE = "1.004194"
TEMPORARY_EXTENSION = "1.002755"
TEMPORARY_CANCELLED = "1.010028"
BUSINESS = "1.001612"
BUSINESS_CHANGE = "2.000720"
LICENCE_EXCHANGE = "3.000347"
LICENCE_REISSUE = "3.000348"
ID_CARD = "2.000200"
ID_CARD_CHILD = "1.014062"
ID_CARD_EXCHANGE = "2.001195"
ID_CARD_REISSUE = "2.001194"
CIVIL_STATUS_CHANGE = "1.004859"
MARRIAGE = "1.000894"
MARITAL_STATUS = "1.004873"
PARENT_CHILD = "1.001022"

SYNONYMS = {
    "cccd": ["can cuoc cong dan", "can cuoc", "the can cuoc"],
    "cccd bi mat": ["cap lai the can cuoc"],
    "cccd bi hong": ["cap doi the can cuoc"],
    "sai ngay sinh": ["cai chinh bo sung thong tin ho tich", "thay doi ho chu dem ten"],
    "nhan con": ["dang ky nhan cha me con"],
    "bang lai": ["giay phep lai xe"],
    "driving license": ["giay phep lai xe"],
    "certified copy": ["chung thuc ban sao"],
}


@pytest.fixture(scope="module")
def procedures() -> resolve.NameIndex:
    index = procedure_index()
    index.question_pairs = {"giay to", "can giay", "thu tuc"}
    return index


def _decide(
    index: resolve.NameIndex, question: str, *ranked: tuple[str, float]
) -> resolve.Decision:
    return decide_ranked(index, question, ranked, SYNONYMS)


def _answered(decision: resolve.Decision) -> str | None:
    return decision.options[0].candidate.id if decision.kind == "answer" else None


def test_of_a_record_and_the_one_changing_it_no_change_asked_is_the_first(
    procedures: resolve.NameIndex,
) -> None:
    # "tạm trú" alone: registering it, not extending it (nothing says it runs out).
    decision = _decide(
        procedures,
        "tạm trú đăng ở trên mạng được không",
        (TEMPORARY_RESIDENCE, 0.3),
        (TEMPORARY_EXTENSION, 0.2),
        (TEMPORARY_CANCELLED, 0.1),
    )
    assert _answered(decision) == TEMPORARY_RESIDENCE
    assert (
        _answered(
            _decide(
                procedures,
                "tam tru theo nghi dinh nao",
                (TEMPORARY_RESIDENCE, 0.4),
                (TEMPORARY_EXTENSION, 0.3),
            )
        )
        == TEMPORARY_RESIDENCE
    )


def test_of_a_record_and_the_one_changing_it_a_change_asked_is_the_second(
    procedures: resolve.NameIndex,
) -> None:
    # A business moving to another street changes what was registered.
    decision = _decide(
        procedures,
        "hộ kinh doanh nhà tôi chuyển địa chỉ về chỗ mới thì phải làm gì",
        (BUSINESS, 0.15),
        (BUSINESS_CHANGE, 0.1),
    )
    assert _answered(decision) == BUSINESS_CHANGE


def test_a_paper_out_of_date_is_exchanged_and_a_lost_one_reissued(
    procedures: resolve.NameIndex,
) -> None:
    expired = _decide(
        procedures,
        "bằng lái của tôi sắp hết hạn, làm ở đâu",
        (LICENCE_EXCHANGE, 0.05),
        (LICENCE_REISSUE, 0.04),
    )
    assert _answered(expired) == LICENCE_EXCHANGE
    lost = _decide(
        procedures,
        "I lost my driving license on the bus, how long for a new one",
        (LICENCE_EXCHANGE, 0.9),
        (LICENCE_REISSUE, 0.05),
    )
    assert _answered(lost) == LICENCE_REISSUE


def test_a_first_paper_asked_of_records_that_only_renew_it_is_not_in_the_catalogue(
    procedures: resolve.NameIndex,
) -> None:
    # The catalogue has no first driving licence (it is the exam's): say so, offer no renewal.
    for question in (
        "học bằng lái lần đầu thì đăng ký ở đâu",
        "where to get my first driving license",
    ):
        decision = _decide(procedures, question, (LICENCE_EXCHANGE, 0.1), (LICENCE_REISSUE, 0.05))
        assert decision.kind == "none", question


def test_mat_cong_is_no_change_so_no_reissue_is_stated(procedures: resolve.NameIndex) -> None:
    # "mất công đi lại": travelling back and forth, no card lost; "lại" of "đi lại" is no
    # "Cấp lại".
    decision = _decide(
        procedures,
        "làm căn cước có mất công đi lại mấy lần không",
        (ID_CARD_REISSUE, 0.3),
        (ID_CARD_EXCHANGE, 0.1),
        (ID_CARD_CHILD, 0.1),
        (ID_CARD, 0.05),
    )
    assert _answered(decision) != ID_CARD_REISSUE
    assert not resolve.asks_change("thẻ căn cước có mất công chờ không")
    assert resolve.asks_change("bị mất thẻ căn cước rồi")


def test_another_records_everyday_phrase_leads_to_the_record_it_means_and_the_question_names(
    procedures: resolve.NameIndex,
) -> None:
    # "sai ngày sinh" reads as the civil-status correction, but of a "cccd bị ..." whose new
    # card is asked ("đổi thẻ"): the ID card's exchange.
    decision = _decide(
        procedures,
        "cccd bị sai ngày sinh thì đổi thẻ mới ra sao",
        (CIVIL_STATUS_CHANGE, 0.5),
        (ID_CARD_EXCHANGE, 0.05),
        (ID_CARD_REISSUE, 0.04),
    )
    assert _answered(decision) == ID_CARD_EXCHANGE


def test_of_two_offered_the_one_not_done_yet_is_a_circumstance(
    procedures: resolve.NameIndex,
) -> None:
    decision = _decide(
        procedures,
        "bố mẹ chưa đăng ký kết hôn thì nhận con thế nào",
        (MARRIAGE, 0.1),
        (PARENT_CHILD, 0.05),
    )
    assert _answered(decision) == PARENT_CHILD


def test_a_copy_or_a_lost_paper_is_not_answered_with_the_record_that_makes_it_first(
    procedures: resolve.NameIndex,
) -> None:
    for question in (
        "need a copy of our marriage certificate for the bank",
        "we lost our marriage certificate in the flood",
    ):
        decision = _decide(procedures, question, (MARRIAGE, 0.8), (MARITAL_STATUS, 0.1))
        assert decision.kind != "answer", question


def test_a_foreign_party_is_not_the_domestic_procedure(procedures: resolve.NameIndex) -> None:
    for question in (
        "I am a foreigner, can I marry my Vietnamese girlfriend at the commune",
        "đăng ký kết hôn với người nước ngoài ở xã được không",
        # Said by nationality, or as not the country's (review R6).
        "my fiancee is Korean, can we register our marriage at the ward",
        "my partner is not Vietnamese, can we register our marriage here",
        "lấy chồng người Hàn Quốc thì đăng ký kết hôn ở đâu",
    ):
        decision = _decide(procedures, question, (MARRIAGE, 0.8), (MARITAL_STATUS, 0.1))
        assert decision.kind != "answer", question
    assert (
        _answered(
            _decide(
                procedures, "đăng ký kết hôn ở xã cần gì", (MARRIAGE, 0.8), (MARITAL_STATUS, 0.1)
            )
        )
        == MARRIAGE
    )


def test_a_nationality_is_read_in_english_only(procedures: resolve.NameIndex) -> None:
    # Folded, "thai" is "mang thai" (pregnant) and the Thái people (review R19).
    changed = _decide(
        procedures,
        "xác định lại dân tộc Thái cho con",
        (CIVIL_STATUS_CHANGE, 0.5),
        (MARRIAGE, 0.05),
    )
    assert _answered(changed) == CIVIL_STATUS_CHANGE
    birth = "1.001193"
    pregnant = _decide(
        procedures,
        "vợ tôi mang thai, sinh xong đăng ký khai sinh cho con ở đâu",
        (birth, 0.5),
        (MARRIAGE, 0.05),
    )
    assert _answered(pregnant) == birth
    thai = _decide(procedures, "my wife is Thai, how do we register our marriage", (MARRIAGE, 0.8))
    assert thai.kind != "answer"


FUNERAL = "1.001731"
MONTHLY_ALLOWANCE = "1.001776"
COPY_CERTIFICATION = "2.000815"
CIVIL_STATUS_COPY = "2.000635"


def test_a_benefit_being_received_is_a_circumstance(procedures: resolve.NameIndex) -> None:
    # The allowance the deceased received is why, not what is asked: the funeral support.
    decision = _decide(
        procedures,
        "ông tôi đang hưởng trợ cấp xã hội thì qua đời, xin hỗ trợ mai táng ở đâu",
        (MONTHLY_ALLOWANCE, 0.1),
        (FUNERAL, 0.05),
    )
    assert _answered(decision) == FUNERAL


def test_a_copy_asked_is_the_record_giving_copies(procedures: resolve.NameIndex) -> None:
    decision = _decide(
        procedures,
        "where do I get a certified copy of my degree at the commune",
        (ID_CARD_CHILD, 0.4),
        (COPY_CERTIFICATION, 0.3),
    )
    assert _answered(decision) == COPY_CERTIFICATION


def test_the_paper_named_is_no_rival_record_giving_its_copy(procedures: resolve.NameIndex) -> None:
    # "giấy khai sinh" is the paper to correct, not *Cấp bản sao ... Giấy khai sinh*.
    decision = _decide(
        procedures,
        "giay khai sinh bi sai ngay sinh cua be thi sua o dau",
        (CIVIL_STATUS_CHANGE, 0.5),
        (CIVIL_STATUS_COPY, 0.1),
    )
    assert _answered(decision) == CIVIL_STATUS_CHANGE


def test_a_word_no_name_holds_after_the_pair_a_name_ends_with_is_another_kind(
    procedures: resolve.NameIndex,
) -> None:
    scored = resolve.score(
        "đăng ký kinh doanh massage cần điều kiện gì",
        [resolve.Candidate("procedure", BUSINESS, BUSINESS, score=1.0, margin=0.6)],
        procedures,
        SYNONYMS,
    )
    assert "massage" in scored[0].qualified
    decision = resolve.decide(
        scored,
        procedures.min_evidence(),
        rival_answers=False,
        phrase_needed=True,
        unknown=["massage"],
    )
    assert decision.kind != "answer"
    # A short word of how the question goes on qualifies nothing ("vì" of "khai sinh vì").
    assert not resolve.score(
        "xin bản sao giấy khai sinh vì bị mất",
        [resolve.Candidate("procedure", CIVIL_STATUS_COPY, "copy", score=1.0, margin=0.6)],
        procedures,
        SYNONYMS,
    )[0].qualified


def test_the_public_service_portals_abbreviation_asks_online() -> None:
    from actions import text

    assert text.aspect_in("làm hộ chiếu trên dvc được ko", "procedures") == "online"
    assert text.aspect_in("nop qua dvcqg duoc khong", "procedures") == "online"


def test_a_lost_paper_is_never_settled_as_its_exchange(procedures: resolve.NameIndex) -> None:
    # The search ranks the exchange first; the re-issue and the first issuance share the words.
    decision = _decide(
        procedures,
        "my husband lost his ID card on holiday, how does he get a replacement",
        (ID_CARD_EXCHANGE, 0.04),
        (ID_CARD_REISSUE, 0.2),
        (ID_CARD_CHILD, 0.02),
        (ID_CARD, 0.1),
    )
    assert _answered(decision) != ID_CARD_EXCHANGE


def test_a_change_asked_of_the_record_making_a_thing_is_the_one_changing_it(
    procedures: resolve.NameIndex,
) -> None:
    decision = _decide(
        procedures,
        "quán tôi chuyển địa chỉ thì giấy đăng ký hộ kinh doanh sửa ra sao",
        (BUSINESS, 0.3),
        (BUSINESS_CHANGE, 0.1),
    )
    assert _answered(decision) == BUSINESS_CHANGE


def test_a_pair_going_on_with_a_word_no_text_holds_as_typed_is_another_thing(
    procedures: resolve.NameIndex,
) -> None:
    # "với học" of *... đối với học sinh ...*, asked as "với học bạ" (a school report): "bạ"
    # is folded "ba", a syllable the names hold, but no text holds "bạ" as typed.
    school_transfer = "2.002481"
    scored = resolve.score(
        "chứng thực bằng cấp với học bạ ở phường hết bao nhiêu",
        [resolve.Candidate("procedure", school_transfer, "transfer", score=1.0, margin=0.5)],
        procedures,
        SYNONYMS,
    )
    assert "ba" in scored[0].qualified
    decision = resolve.decide(
        scored, procedures.min_evidence(), rival_answers=False, phrase_needed=True, unknown=["ba"]
    )
    assert decision.kind != "answer"


DISABILITY_CERTIFICATE = "1.001699"


def test_what_a_question_asks_to_get_is_not_a_record_whose_name_lacks_it(
    procedures: resolve.NameIndex,
) -> None:
    # Review: the allowance asked ("có được trợ cấp"), not the disability certificate stated.
    decision = _decide(
        procedures,
        "cháu nhà tôi khuyết tật nặng thì có được trợ cấp gì không",
        (DISABILITY_CERTIFICATE, 0.6),
        (MONTHLY_ALLOWANCE, 0.2),
    )
    assert decision.kind != "answer"
    assert decision.options[0].candidate.id == MONTHLY_ALLOWANCE
    # The thing asked goes on with the record's own words: that record ("trợ cấp mai táng").
    funeral = _decide(procedures, "xin trợ cấp mai táng cho ông", (FUNERAL, 0.6))
    assert _answered(funeral) == FUNERAL


def test_two_neighbouring_letters_swapped_in_a_short_word_are_read_as_the_names_word(
    procedures: resolve.NameIndex,
) -> None:
    birth = "1.001193"
    decision = _decide(procedures, "dang ky khia sinh cho be o dau", (birth, 0.3))
    assert _answered(decision) == birth
    # Three letters or fewer are never read as another syllable.
    assert procedures._respell("khia") == "khai"
    assert procedures._respell("hon") == "hon"


def test_everyday_words_folding_to_a_change_ask_none() -> None:
    # Typed with accents, "có mặt", "thấy", "đợi", "chuyện" are no "mất", "thay", "đổi",
    # "chuyển"; a person's or a commune's name ("Huy", "Quảng Cát") is no "hủy" or "cắt"; "on
    # behalf", "a bank transfer", "moving to a town", "the end of the year" change nothing.
    for question in (
        "có cần có mặt khi đăng ký tạm trú không",
        "thay mặt con đăng ký tạm trú được không",
        "chuyện đăng ký tạm trú cho người thuê trọ thế nào",
        "con tôi tên Huy, đăng ký tạm trú cho cháu thế nào",
        "đăng ký tạm trú ở xã Quảng Cát",
        "mình thấy bảo tạm trú làm online được, làm thế nào",
        "phải đợi bao lâu mới có tạm trú",
        "đăng ký hộ kinh doanh có chuyển khoản lệ phí được không",
        "I am moving to Thanh Hoa for work, how do I register temporary residence",
        "temporary residence registration, I will stay until the end of the year",
    ):
        assert not resolve.asks_change(question), question
    for question, kinds in (
        ("huy dang ky tam tru", {"cancel"}),
        ("xóa tạm trú cho con", {"cancel"}),
        ("tạm trú của em hết hạn", {"extend", "renew"}),
        ("I want to move my business to a new address", {"modify"}),
        ("hộ kinh doanh chuyển địa điểm", {"modify"}),
    ):
        assert resolve.change_kinds_asked(question) == kinds, question


def test_a_change_asked_settles_only_on_a_record_making_that_change(
    procedures: resolve.NameIndex,
) -> None:
    # "đổi" asks no cancellation: of the registration and its cancellation, not the second.
    decision = _decide(
        procedures,
        "đổi chỗ ở thì đăng ký tạm trú thế nào",
        (TEMPORARY_RESIDENCE, 0.4),
        (TEMPORARY_CANCELLED, 0.2),
        (TEMPORARY_EXTENSION, 0.1),
    )
    assert _answered(decision) != TEMPORARY_CANCELLED
    for question in (
        "có cần có mặt khi đăng ký tạm trú không",
        "con tôi tên Huy, đăng ký tạm trú cho cháu thế nào",
        "đăng ký tạm trú ở xã Quảng Cát",
    ):
        decision = _decide(
            procedures,
            question,
            (TEMPORARY_RESIDENCE, 0.4),
            (TEMPORARY_CANCELLED, 0.2),
            (TEMPORARY_EXTENSION, 0.1),
        )
        assert _answered(decision) not in (TEMPORARY_CANCELLED, TEMPORARY_EXTENSION), question
    cancelled = _decide(
        procedures,
        "muốn xóa đăng ký tạm trú cho con",
        (TEMPORARY_RESIDENCE, 0.4),
        (TEMPORARY_CANCELLED, 0.2),
    )
    assert _answered(cancelled) != TEMPORARY_RESIDENCE


def test_a_change_the_catalogue_lacks_is_not_the_record_making_the_thing(
    procedures: resolve.NameIndex,
) -> None:
    # Suspending or dissolving a household business: neither setting it up nor changing it.
    decision = decide_ranked(
        procedures,
        "tạm ngừng hộ kinh doanh",
        ((BUSINESS, 0.15), (BUSINESS_CHANGE, 0.1)),
        SYNONYMS,
        unknown=["ngung"],
    )
    assert _answered(decision) != BUSINESS
    # Setting one up, said without a change: still the first.
    assert (
        _answered(
            _decide(
                procedures, "đăng ký hộ kinh doanh ở đâu", (BUSINESS, 0.15), (BUSINESS_CHANGE, 0.1)
            )
        )
        == BUSINESS
    )


def test_a_replacement_is_of_a_paper_issued_before(procedures: resolve.NameIndex) -> None:
    # Neither lost nor out of date: a replacement is a re-issue or an exchange, not the card made
    # the first time, and which of the two is for the user to say (review R11).
    decision = _decide(
        procedures,
        "I need a replacement ID card",
        (ID_CARD_CHILD, 0.3),
        (ID_CARD_EXCHANGE, 0.2),
        (ID_CARD_REISSUE, 0.1),
    )
    assert _answered(decision) not in (ID_CARD_CHILD, ID_CARD)
    birth = _decide(procedures, "I need a replacement birth certificate", ("1.001193", 0.5))
    assert _answered(birth) != "1.001193"
