"""How the assistant reads a question and picks a record (bots/actions/text.py, resolve.py,
place_answers.py: pure Python, no Rasa needed).

The candidates are built here as the API's search would return them; the rarity of words comes
from the demo catalogue's names, as the action server computes it from the API.
"""

import json
from pathlib import Path
from typing import Any

import pytest
from actions import place_answers, resolve, text

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "domains"


def _names(path: str, key: str, name: str = "name") -> dict[str, list[str]]:
    rows = json.loads((DATA / path).read_text(encoding="utf-8"))
    rows = rows["schools"] if isinstance(rows, dict) else rows
    return {row[key]: [row[name]["vi"], row[name]["en"]] for row in rows}


@pytest.fixture(scope="module")
def procedures() -> resolve.NameIndex:
    return resolve.NameIndex(_names("procedures/data/procedures.json", "code"))


@pytest.fixture(scope="module")
def hospitals() -> resolve.NameIndex:
    return resolve.NameIndex(_names("health/data/hospitals.json", "id"))


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("Where is the oncology hospital?", "en"),
        ("how much does it cost?", "en"),
        ("lam giay khai sinh online duoc khong", "vi"),
        ("lệ phí hộ chiếu", "vi"),
        ("1.001193", None),
        ("Ho Dynasty Citadel", None),
        ("Where is Ho Citadel?", "en"),
    ],
)
def test_language_of_the_question(question: str, lang: str | None) -> None:
    assert text.detect_lang(question) == lang


def test_placeholders_of_masked_personal_data_are_not_words_of_the_question() -> None:
    """The API masks "0912345678" as "<phone>" and a name as "<name>": neither "phone" nor
    "name" was asked, nor is it English."""
    question = "tôi tên <name>, sđt <phone>, làm lại căn cước ở đâu"
    assert text.words(question) == ["toi", "ten", "sdt", "lam", "lai", "can", "cuoc", "o", "dau"]
    assert text.detect_lang("con <name> cần làm căn cước ở đâu") == "vi"


@pytest.mark.parametrize(
    ("question", "table", "aspect"),
    [
        ("làm hộ chiếu lệ phí bao nhiêu vậy ad", "procedures", "fee"),
        ("doi gplx online duoc khong", "procedures", "online"),
        ("tach ho can giay to gi", "procedures", "documents"),
        ("phieu ly lich tu phap xin o dau", "procedures", "agency"),
        ("bao lau thi co", "procedures", "time"),
        ("Ben En national park ticket price", "places", "price"),
        ("thac may mo cua may gio", "places", "hours"),
        ("is it open right now", "places", "open_now"),
        ("bv ung buou dat lich kham the nao", "places", "how_to_book"),
        ("truong dao duy tu o dau", "places", "address"),
        ("núi Nưa có gì", "places", None),
    ],
)
def test_aspect_from_the_words(question: str, table: str, aspect: str | None) -> None:
    assert text.aspect_in(question, table) == aspect


def test_common_words_carry_no_weight(procedures: resolve.NameIndex) -> None:
    # "đăng ký" is in a third of the procedure names: computed, not listed by hand.
    assert {"dang", "ky"} <= procedures.common(0.2)
    assert procedures.weight("dang") < procedures.min_evidence()
    evidence, shared = procedures.evidence("đăng ký giấy tờ", "1.001193")
    assert shared == ("dang ky",) and evidence < procedures.min_evidence()


def test_a_typo_still_counts(hospitals: resolve.NameIndex) -> None:
    exact, _ = hospitals.evidence("benh vien quang xuong o dau", "bv-da-khoa-quang-xuong")
    typo, shared = hospitals.evidence("benh vien quang xoung o dau", "bv-da-khoa-quang-xuong")
    assert typo == exact and "quang xuong" in shared


def test_accents_typed_are_meant(procedures: resolve.NameIndex) -> None:
    # Typed with diacritics, "bao" (bao nhiêu) is not "bảo"; typed without, it may be.
    hospitals = resolve.NameIndex({"bt": ["Bảo tàng tỉnh"], "bv": ["Bệnh viện tỉnh"]})
    assert hospitals.evidence("số điện thoại bao nhiêu", "bt")[1] == ()
    assert "bao" in hospitals.evidence("so dien thoai cua bao", "bt")[1]
    # ... though not where it asks, in "bao nhieu" (how much).
    assert hospitals.evidence("so dien thoai bao nhieu", "bt")[1] == ()


def _candidate(code: str, margin: float) -> resolve.Candidate:
    return resolve.Candidate("procedure", code, code, score=1.0, margin=margin)


def test_clear_match_is_answered(procedures: resolve.NameIndex) -> None:
    question = "đăng ký kết hôn cần giấy tờ gì"
    scored = resolve.score(
        question, [_candidate("1.000894", 0.6), _candidate("1.001193", 0.1)], procedures
    )
    decision = resolve.decide(scored, procedures.min_evidence())
    assert decision.kind == "answer" and decision.best
    assert decision.best.candidate.id == "1.000894"


def test_close_match_offers_a_choice_instead_of_a_confident_answer(
    procedures: resolve.NameIndex,
) -> None:
    index = resolve.NameIndex(
        {
            "a": ["Cấp đổi thẻ căn cước"],
            "b": ["Cấp lại thẻ căn cước"],
            **{f"x{n}": [f"Cấp giấy phép loại {n}"] for n in range(20)},
        }
    )
    candidates = [_candidate("a", 0.05), _candidate("b", 0.3)]
    decision = resolve.decide(resolve.score("thẻ căn cước", candidates, index), 1.0)
    assert decision.kind == "choose"
    assert [s.candidate.id for s in decision.options] == ["a", "b"]
    # The same words with what tells them apart: answered.
    exact = resolve.decide(resolve.score("cấp lại thẻ căn cước", candidates, index), 1.0)
    assert exact.kind == "answer" and exact.best and exact.best.candidate.id == "b"


def test_an_exact_name_beats_a_longer_one(procedures: resolve.NameIndex) -> None:
    candidates = [_candidate("1.001193", 0.02), _candidate("1.004884", 0.3)]
    scored = resolve.score("đăng ký khai sinh", candidates, procedures)
    decision = resolve.decide(scored, procedures.min_evidence())
    assert decision.kind == "answer" and decision.best
    assert decision.best.candidate.id == "1.001193"


def test_only_common_words_is_no_match(procedures: resolve.NameIndex) -> None:
    # The search always returns something; sharing "cấp giấy đăng ký" says nothing.
    scored = resolve.score("cấp giấy đăng ký", [_candidate("1.001193", 0.9)], procedures)
    assert resolve.decide(scored, procedures.min_evidence()).kind == "none"


def test_place_answers_state_the_aspect_from_the_record() -> None:
    record: dict[str, Any] = {
        "name": "Citadel of the Hồ Dynasty",
        "district": "Vĩnh Lộc",
        "address": "Vĩnh Tiến",
        "location": {"lat": 20.078, "lng": 105.6045},
        "openNow": True,
        "openingHours": [
            {"weekday": d, "opens": "07:00", "closes": "17:30"} for d in place_answers.WEEKDAY_NAMES
        ],
        "tickets": {"free": False, "adultVnd": 40000, "childVnd": 20000, "note": None},
        "contacts": {"phone": None},
    }
    price, _ = place_answers.place_answer("attraction", record, "price", "en", "1800 1096")
    assert price.startswith("Citadel of the Hồ Dynasty") and "VND 40,000" in price
    hours, _ = place_answers.place_answer("attraction", record, "hours", "vi", "1800 1096")
    assert "hằng ngày 07:00–17:30" in hours and "đang mở cửa" in hours
    address, links = place_answers.place_answer("attraction", record, "address", "en", "x")
    assert "Address: Vĩnh Tiến" in address and "20.078,105.6045" in links[0]["url"]
    phone, _ = place_answers.place_answer("attraction", record, "phone", "vi", "1800 1096")
    assert "chưa có số điện thoại" in phone and "1800 1096" in phone


def _indexes() -> dict[str, resolve.NameIndex]:
    tourism = {
        **_names("tourism/data/attractions.json", "slug"),
        **_names("tourism/data/events.json", "slug"),
    }
    return {
        "procedures": resolve.NameIndex(_names("procedures/data/procedures.json", "code")),
        "tourism": resolve.NameIndex(tourism),
        "health": resolve.NameIndex(_names("health/data/hospitals.json", "id")),
        "education": resolve.NameIndex(_names("education/data/schools.json", "id")),
    }


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("BV đa khoa Sầm Sơn ở đâu", {"health"}),
        ("thpt ham rong tuyen sinh", {"education"}),
        ("Where is the general hospital?", {"health"}),
        ("lễ hội Lam Kinh khi nào", {"tourism"}),
        ("Sầm Sơn", set()),
        # "cấp" begins procedures' names, but "cấp 2" is a school level (lower secondary)
        ("học cấp 2 ở đâu", {"education"}),
    ],
)
def test_the_kind_of_record_a_question_names(question: str, named: set[str]) -> None:
    # Computed from how the catalogues' names begin (and end, in English), not a word list.
    markers = resolve.domain_markers(_indexes())
    assert resolve.domains_named(question, markers) == named


def test_words_the_record_does_not_explain_make_it_an_offer(
    procedures: resolve.NameIndex,
) -> None:
    # "bảo hiểm y tế" is in the catalogue's words, not in the ID card's name: it may be a
    # procedure the catalogue lacks, so the ID card is offered, not stated.
    candidates = [_candidate("2.001194", 0.6), _candidate("2.000986", 0.1)]
    question = "cấp lại thẻ bảo hiểm y tế bị mất"
    scored = resolve.score(question, candidates, procedures)
    decision = resolve.decide(scored, procedures.min_evidence())
    assert decision.kind in ("unsure", "choose")
    plain = resolve.score("cấp lại thẻ căn cước bị mất", candidates, procedures)
    assert resolve.decide(plain, procedures.min_evidence()).kind == "answer"


@pytest.mark.parametrize(
    ("question", "specific"),
    [
        ("phone number of Ham Rong", True),
        ("giá vé Thành nhà Hồ bao nhiêu", True),
        ("How much is entry to Pu Luong?", True),
        ("thời tiết Sầm Sơn thế nào", False),
        ("ăn hải sản ở đâu ngon", False),  # "where" alone is not a record's aspect
        ("when is the next football match", False),
    ],
)
def test_out_of_scope_is_looked_up_only_for_a_records_aspect(question: str, specific: bool) -> None:
    assert text.specific_aspect(question) is specific
