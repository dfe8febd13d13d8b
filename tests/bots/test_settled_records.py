"""What settles which existing procedure a question is about (actions/resolve.py, issue 14):
an age the names are for, a record and the one that changes it, an everyday name read as
another record's, a record far ahead in the words; and the aspect read from everyday words.

Pure Python, on the demo procedure names; the everyday names are written here.
"""

import pytest
from actions import resolve
from actions.text import aspect_in

from tests.bots.procedure_names import decide_ranked, procedure_index

ID_UNDER_14 = "1.014062"
ID_FROM_14 = "2.000200"
SEPARATION = "1.010038"
PERMANENT_RESIDENCE = "1.004222"
SOCIAL_PENSION = "1.014027"
SOCIAL_ALLOWANCE = "1.001776"
BIRTH = "1.001193"
LINKED_BIRTH = "2.000986"

SYNONYMS = {
    "ho khau": ["thuong tru", "dang ky thuong tru"],
    "tach ho khau": ["tach ho"],
    "tach so ho khau": ["tach ho"],
    "tam tru sap het han": ["gia han tam tru"],
    "bang lai": ["giay phep lai xe"],
    "cccd": ["the can cuoc"],
    "bhyt": ["bao hiem y te"],
    "id card": ["can cuoc"],
    "mat can cuoc": ["cap lai the can cuoc"],
}


@pytest.fixture(scope="module")
def procedures() -> resolve.NameIndex:
    index = procedure_index()
    index.question_pairs = {"giay to", "can giay"}
    return index


def _decide(
    index: resolve.NameIndex,
    question: str,
    *ranked: tuple[str, float],
    unknown: bool | list[str] = False,
) -> resolve.Decision:
    return decide_ranked(index, question, ranked, SYNONYMS, unknown=unknown, heads=True)


def _ids(decision: resolve.Decision) -> list[str]:
    return [option.candidate.id for option in decision.options]


def test_an_age_asked_picks_the_record_for_that_age(procedures: resolve.NameIndex) -> None:
    # Both identity cards share every word; the search puts neither clearly ahead.
    for question in ("lm cccd cho con 10 tuoi can gi", "làm căn cước cho con 5 tuổi"):
        decision = _decide(procedures, question, (ID_UNDER_14, 0.06), (ID_FROM_14, 0.48))
        assert decision.kind == "answer" and _ids(decision) == [ID_UNDER_14]
    decision = _decide(
        procedures, "căn cước cho con 15 tuổi", (ID_UNDER_14, 0.06), (ID_FROM_14, 0.4)
    )
    assert _ids(decision) == [ID_FROM_14]
    # "dưới 14 tuổi" names a range, not an age: none of it is 14 or more.
    assert (
        resolve.age_fits(
            "căn cước cho trẻ dưới 14 tuổi", ["Cấp thẻ căn cước cho người từ đủ 14 tuổi"]
        )
        is False
    )


def test_a_records_own_pair_is_not_another_records_everyday_name(
    procedures: resolve.NameIndex,
) -> None:
    # "hộ khẩu" reads as permanent residence, which then fits better; "tách hộ" is the
    # separation's own name, which the list reads as the separation: that one.
    decision = _decide(
        procedures,
        "tach ho khau ra rieng lam o dau",
        (SEPARATION, 0.06),
        (PERMANENT_RESIDENCE, 0.59),
    )
    assert decision.kind == "answer" and _ids(decision) == [SEPARATION]


def test_a_pair_qualified_by_a_word_no_name_holds_is_not_stated(
    procedures: resolve.NameIndex,
) -> None:
    # "trợ cấp thất nghiệp" (unemployment benefit, not in the catalogue) of "trợ cấp hưu trí".
    decision = _decide(
        procedures,
        "mất việc rồi, hưởng trợ cấp thất nghiệp nộp hồ sơ ở đâu ạ",
        (SOCIAL_PENSION, 0.14),
        (SOCIAL_ALLOWANCE, 0.55),
        unknown=True,
    )
    assert decision.kind == "unsure"
    # A typo of the name's next word qualifies nothing ("kinh doan").
    typo = _decide(procedures, "le phi dang ky ho kinh doan", ("1.001612", 0.6), unknown=True)
    assert typo.kind == "answer"


def test_a_record_far_ahead_in_the_words_is_answered(procedures: resolve.NameIndex) -> None:
    question = (
        "We just had a baby. Can we do the birth registration, household registration and "
        "health insurance card for her all at once?"
    )
    decision = _decide(procedures, question, (BIRTH, 0.5), (LINKED_BIRTH, 0.09))
    assert decision.kind == "answer" and _ids(decision) == [LINKED_BIRTH]


def test_the_aspect_read_from_everyday_words() -> None:
    # Two neighbouring letters swapped ("mnag").
    assert aspect_in("lam giay khai sinh qua mnag duoc khong", "procedures") == "online"
    # Whether the commune will do: where to apply, not who may.
    question = "hợp đồng mua bán nhà có chứng thực ở xã được ko hay bắt buộc ra phòng công chứng"
    assert aspect_in(question, "procedures") == "agency"
    # Whether the child must come along: how it is done.
    question = "làm căn cước cho con 5 tuổi có phải dẫn cháu lên công an không ạ"
    assert aspect_in(question, "procedures") == "steps"
    assert aspect_in("chuyển nhà trọ thì có phải xóa tạm trú chỗ cũ không", "procedures") == (
        "eligibility"
    )


def test_a_change_or_a_loss_is_no_first_time(procedures: resolve.NameIndex) -> None:
    # The vehicle's and the land's first registrations, asked for a change or a loss: not in
    # the catalogue, said so with the closest offered (not stated).
    vehicle, land = "1.010910", "1.013978"
    assert _decide(procedures, "đổi biển số xe ô tô", (vehicle, 0.73)).kind == "unsure"
    lost = _decide(procedures, "mất giấy chứng nhận quyền sử dụng đất", (land, 0.5))
    assert lost.kind == "unsure"
    # "mất bao lâu" asks how long; the first time said is the first time.
    for question in ("đăng ký biển số xe mất bao lâu", "đổi chủ, đăng ký biển số xe lần đầu"):
        assert _decide(procedures, question, (vehicle, 0.73)).kind == "answer"


def test_an_age_range_asked_is_no_age(procedures: resolve.NameIndex) -> None:
    # "chưa đủ 14 tuổi", "nhỏ hơn 14 tuổi": the ages below 14, not the age 14.
    for question in (
        "làm căn cước cho con chưa đủ 14 tuổi",
        "lam can cuoc cho con chua 14 tuoi",
        "căn cước cho trẻ nhỏ hơn 14 tuổi",
    ):
        decision = _decide(procedures, question, (ID_FROM_14, 0.06), (ID_UNDER_14, 0.3))
        assert decision.kind == "answer" and _ids(decision) == [ID_UNDER_14], question
    # A range of both records' ages says neither ("từ 6 đến 14 tuổi" is not the age 14).
    for question in ("căn cước cho trẻ từ 6 đến 14 tuổi", "can cuoc cho tre 6-14 tuoi"):
        assert resolve.age_fits(question, ["cho người dưới 14 tuổi"]), question
    assert resolve.age_fits("the cho tre tu 10 den 16 tuoi", ["cho người dưới 14 tuổi"])
    assert resolve.age_fits("the cho tre tu 10 den 16 tuoi", ["cho người từ đủ 14 tuổi"])


def test_an_age_alone_elects_no_record(procedures: resolve.NameIndex) -> None:
    # "trợ cấp cho người già 80 tuổi" shares with the identity cards only how their names say
    # whom they are for ("cho người", "tuổi") and a syllable ("cấp"): the age picks neither.
    question = "trợ cấp cho người già 80 tuổi"
    decision = _decide(procedures, question, (ID_FROM_14, 0.06), (ID_UNDER_14, 0.3))
    assert decision.kind != "answer"
    # Nor is a record sharing only those words answered ("chưa đủ 18 tuổi" fits both cards).
    for question in ("trợ cấp cho người chưa đủ 18 tuổi", "trợ cấp cho trẻ dưới 14 tuổi"):
        decision = _decide(procedures, question, (ID_FROM_14, 0.6), (ID_UNDER_14, 0.06))
        assert decision.kind != "answer", question


def test_what_has_not_been_done_is_a_circumstance(procedures: resolve.NameIndex) -> None:
    # The marriage not registered is why the father must recognise the child: not the marriage.
    recognition, marriage, birth = "1.001022", "1.000894", "1.001193"
    question = "bố đẻ muốn nhận con khi hai người chưa đăng ký kết hôn thì cần giấy tờ gì"
    decision = _decide(procedures, question, (marriage, 0.73), (recognition, 0.15))
    assert decision.kind == "unsure" and _ids(decision)[0] == recognition
    # Not done yet and asked about, nothing else named: that one.
    question = (
        "con em sinh được 2 tháng mà chưa làm giấy khai sinh, giờ đi làm thì các bước thế nào"
    )
    assert _ids(_decide(procedures, question, (birth, 0.5))) == [birth]


def test_everyday_words_ask_no_change() -> None:
    # "thời gian", "hỏi thêm", "thì lại phải", "được hông": no change asked of the first time.
    for question in (
        "làm sổ đỏ thời gian bao lâu",
        "cho em hỏi thêm về làm sổ đỏ",
        "cấp sổ đỏ thì lại phải ra xã à",
        "đăng ký xe máy online được hông",
        "dang ky xe may moi thoi gian bao lau",
    ):
        assert not resolve.asks_change(question), question
    for question in ("cấp lại sổ đỏ", "sổ đỏ bị hỏng", "đổi biển số xe", "làm lại căn cước"):
        assert resolve.asks_change(question), question


def test_a_card_to_be_made_is_not_its_exchange_nor_its_reissue(
    procedures: resolve.NameIndex,
) -> None:
    # The search offers the exchange and the re-issue; no change is asked and an age is.
    exchange, reissue = "2.001195", "2.001194"
    ranked = ((exchange, 0.05), (reissue, 0.02), (ID_FROM_14, 0.06), (ID_UNDER_14, 0.5))
    decision = _decide(procedures, "con toi 10 tuoi lam can cuoc duoc ko", *ranked)
    assert decision.kind == "answer" and _ids(decision) == [ID_UNDER_14]
    # No age: the words do not settle which card is made.
    assert _decide(procedures, "lam can cuoc", *ranked).kind != "answer"


def test_a_thing_named_only_in_general_is_not_settled_on_one_record(
    procedures: resolve.NameIndex,
) -> None:
    # "cấp giấy phép" (a permit: which?): the search offers the driving licence's re-issue and
    # exchange; no age is asked, so the construction permit is not elected as the permit made.
    reissue, exchange, construction = "3.000348", "3.000347", "1.013225"
    for question in ("cấp giấy phép", "xin cấp giấy phép", "cấp giấy phép ở đâu"):
        close = _decide(
            procedures, question, (reissue, 0.05), (exchange, 0.04), (construction, 0.03)
        )
        assert close.kind != "answer", (question, _ids(close))
        ahead = _decide(procedures, question, (reissue, 0.4), (exchange, 0.35), (construction, 0.3))
        assert not (ahead.kind == "answer" and _ids(ahead) == [construction]), question


MARRIAGE = "1.000894"
VEHICLE_FIRST = "1.010910"
ID_REISSUE = "2.001194"
ID_EXCHANGE = "2.001195"
LOWER_SECONDARY_TRANSFER = "2.002481"


def test_where_asked_is_no_word_of_a_name(procedures: resolve.NameIndex) -> None:
    # Typed without accents, "đâu" of "ở đâu" (where) is "dau", as "đầu" of the vehicle's "lần
    # đầu": not a word the question shares with that name. The marriage is asked about.
    question = "chua dang ky ket hon thi dang ky o dau"
    decision = _decide(procedures, question, (MARRIAGE, 0.79), (VEHICLE_FIRST, 0.1))
    assert decision.kind == "answer" and _ids(decision) == [MARRIAGE]
    # "lần đầu" says when, not which record: the marriage, not "marriage or vehicle?".
    for question in ("lần đầu đăng ký kết hôn cần mang gì", "lan dau dang ky ket hon can mang gi"):
        decision = _decide(procedures, question, (MARRIAGE, 0.5), (VEHICLE_FIRST, 0.1))
        assert decision.kind == "answer" and _ids(decision) == [MARRIAGE], question
    # The vehicle's first registration asked where: still that one.
    decision = _decide(procedures, "dang ky xe lan dau o dau", (VEHICLE_FIRST, 0.6))
    assert decision.kind == "answer" and _ids(decision) == [VEHICLE_FIRST]


def test_a_known_word_after_a_shared_pair_qualifies_nothing(
    procedures: resolve.NameIndex,
) -> None:
    # "rồi" after "căn cước" is a word of the language, known to the assistant; only "ơi" is
    # not: the re-issue is answered.
    question = "mất căn cước rồi giờ làm lại thế nào ad ơi"
    decision = _decide(
        procedures, question, (ID_REISSUE, 0.52), (ID_EXCHANGE, 0.26), unknown=["oi"]
    )
    assert decision.kind == "answer" and _ids(decision) == [ID_REISSUE]
    # "thất nghiệp", a word no catalogue knows, after "trợ cấp": still not stated.
    decision = _decide(
        procedures,
        "mất việc rồi, hưởng trợ cấp thất nghiệp nộp hồ sơ ở đâu ạ",
        (SOCIAL_PENSION, 0.14),
        (SOCIAL_ALLOWANCE, 0.55),
        unknown=["that"],
    )
    assert decision.kind == "unsure"


def test_another_provinces_name_is_where_from_not_what(procedures: resolve.NameIndex) -> None:
    # "Hà Nội", typed with accents the assistant's texts lack, is another province: the
    # transfer is asked about, not a thing the catalogue lacks.
    question = "chuyển trường cấp 2 cho con từ Hà Nội về Thanh Hóa cần giấy tờ gì"
    decision = _decide(procedures, question, (LOWER_SECONDARY_TRANSFER, 0.5), unknown=["ha"])
    assert decision.kind == "answer" and _ids(decision) == [LOWER_SECONDARY_TRANSFER]
    # "công ty" of "thành lập công ty", words no catalogue knows: not the household business.
    question = "thành lập công ty tnhh cần hồ sơ gì"
    decision = _decide(procedures, question, ("1.001612", 0.5), unknown=["cong", "ty", "tnhh"])
    assert decision.kind == "unsure"


def test_a_rival_whose_name_explains_the_question_is_answered(
    procedures: resolve.NameIndex,
) -> None:
    # Birth, residence ("hộ khẩu") and health insurance ("bhyt") at once: the linked
    # procedure's name holds all three; the search's first, residence, leaves most unexplained.
    question = "có cách nào làm khai sinh, nhập hộ khẩu với thẻ bhyt cho bé một lần luôn không"
    decision = _decide(
        procedures,
        question,
        (PERMANENT_RESIDENCE, 0.11),
        (BIRTH, 0.43),
        (LINKED_BIRTH, 0.03),
        # "nhập" is a word of the other catalogues ("nhập học"), here unknown to none.
        unknown=["luon"],
    )
    assert decision.kind == "answer" and _ids(decision) == [LINKED_BIRTH]


def test_a_pair_beside_the_names_own_says_only_its_other_word(
    procedures: resolve.NameIndex,
) -> None:
    # "giấy khai" of "giấy khai tử" is a pair of *... bản sao Giấy khai sinh*, but beside
    # "khai tử" it says only "giấy": the death registration is answered.
    death, extract_copy = "1.000656", "2.000635"
    question = "bà nội em mới mất, làm giấy khai tử cần mang theo những gì ạ"
    decision = _decide(procedures, question, (death, 0.66), (extract_copy, 0.14))
    assert decision.kind == "answer" and _ids(decision) == [death]


def test_a_lost_paper_is_reissued_not_exchanged(procedures: resolve.NameIndex) -> None:
    question = (
        "My wife lost her Vietnamese ID card (căn cước) while travelling. "
        "How can she get a replacement?"
    )
    unknown = ["lost", "replacement", "she", "travelling", "while", "wife"]
    decision = _decide(
        procedures, question, (ID_EXCHANGE, 0.05), (ID_REISSUE, 0.22), unknown=unknown
    )
    assert decision.kind == "answer" and _ids(decision) == [ID_REISSUE]
    card = {"can", "cuoc", "the", "card", "id"}
    assert resolve.asks_loss("mất căn cước rồi", card)
    assert resolve.asks_loss("thẻ căn cước bị mất", card)
    assert not resolve.asks_loss("làm lại căn cước mất bao lâu", card)
    assert not resolve.asks_loss("đổi căn cước mất phí không", card)
    # No loss said: the two still share the same words, not answered.
    decision = _decide(procedures, "the can cuoc o dau", (ID_EXCHANGE, 0.05), (ID_REISSUE, 0.2))
    assert decision.kind != "answer"


def test_a_papers_state_is_no_records_everyday_name(procedures: resolve.NameIndex) -> None:
    # "sắp hết" is in the everyday name "tạm trú sắp hết hạn", but it says what becomes of any
    # paper: the licence about to expire is the licence's exchange.
    licence_exchange, licence_reissue = "3.000347", "3.000348"
    question = "bằng lái ô tô B2 sắp hết hạn thì đổi bằng cần làm những bước nào"
    decision = _decide(
        procedures, question, (licence_exchange, 0.38), (licence_reissue, 0.19), unknown=["b2"]
    )
    assert decision.kind == "answer" and _ids(decision) == [licence_exchange]


def test_the_record_another_records_everyday_pairs_name_is_answered(
    procedures: resolve.NameIndex,
) -> None:
    # "tách sổ hộ khẩu": "hộ khẩu" reads as permanent residence, but "tách sổ" and "sổ hộ"
    # name *Tách hộ* alone, which the question asks about.
    question = "cưới xong muốn tách sổ hộ khẩu ra riêng với bố mẹ"
    decision = _decide(
        procedures,
        question,
        (PERMANENT_RESIDENCE, 0.15),
        (SEPARATION, 0.54),
        unknown=["bo", "cuoi"],
    )
    assert decision.kind == "answer" and _ids(decision) == [SEPARATION]


def test_a_word_of_how_people_ask_is_no_typo_of_a_name(procedures: resolve.NameIndex) -> None:
    # "nhiêu" of "bao nhiêu" is one letter from "chiếu" (hộ chiếu): a word, not a typo.
    assert procedures._spelled("nhieu") == "nhieu"
    assert procedures._spelled("chiue") == "chieu"


def test_a_death_an_effort_or_a_lack_is_no_lost_paper(procedures: resolve.NameIndex) -> None:
    # (Review B8.) "mất" of someone who died, of effort ("mất công"), of validity ("mất hiệu
    # lực"), and "missing" (lacking): no loss, so no re-issue stated.
    for question in (
        "bố tôi mất rồi có phải làm gì với căn cước của bố không",
        "bà tôi mất, căn cước của bà xử lý thế nào",
        "căn cước có mất công đi lại nhiều không",
        "làm căn cước mất công không",
        "căn cước mất hiệu lực khi nào",
        "what papers am I missing to get my ID card",
    ):
        decision = _decide(procedures, question, (ID_EXCHANGE, 0.05), (ID_REISSUE, 0.2))
        assert not (decision.kind == "answer" and _ids(decision) == [ID_REISSUE]), question
