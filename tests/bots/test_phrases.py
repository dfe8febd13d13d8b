"""How the resolver reads a question's phrases (actions/resolve.py, fourth session): the head
of a long name, pairs typed without accents, synonym phrases and a rare pair another name holds.

Pure Python, on the demo procedure names; the synonyms are written here, not read from the
catalogue's list.
"""

import json
from pathlib import Path

import pytest
from actions import resolve

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def procedures() -> resolve.NameIndex:
    path = ROOT / "domains" / "procedures" / "data" / "procedures.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    return resolve.NameIndex({row["code"]: [row["name"]["vi"], row["name"]["en"]] for row in rows})


def _candidate(code: str, margin: float) -> resolve.Candidate:
    return resolve.Candidate("procedure", code, code, score=1.0, margin=margin)


def _ids(decision: resolve.Decision) -> list[str]:
    return [s.candidate.id for s in decision.options]


def test_the_first_words_of_a_long_name_are_enough(procedures: resolve.NameIndex) -> None:
    # "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức ... chứng nhận":
    # the question holds a tenth of that long name, but its first words.
    question = "chứng thực bản sao cccd mất phí bao nhiêu"
    scored = resolve.score(question, [_candidate("2.000815", 0.14)], procedures)
    assert scored[0].evidence >= procedures.min_evidence()
    # A pair from the tail of a long name is still a sliver ("Việt Nam" of the judicial record).
    sliver = resolve.score("việt nam", [_candidate("3.000333", 0.5)], procedures)
    assert sliver[0].evidence == 0


def test_a_pair_typed_without_accents_among_accented_words(procedures: resolve.NameIndex) -> None:
    scored = resolve.score("gia hạn tam tru", [_candidate("1.002755", 0.5)], procedures)
    assert "tam tru" in scored[0].shared
    # A lone syllable still has to be typed as the name writes it ("mấy" is not "Mây").
    lone = resolve.score("gia hạn tam", [_candidate("1.002755", 0.5)], procedures)
    assert "tam" not in lone[0].shared


def test_a_synonym_phrase_counts_for_names_holding_it_whole(
    procedures: resolve.NameIndex,
) -> None:
    synonyms = {"khai tu": ["dang ky khai tu"]}
    candidates = [_candidate("1.001193", 0.1), _candidate("1.000656", 0.05)]
    scored = resolve.score("khai tu online duoc khong", candidates, procedures, synonyms)
    by_id = {s.candidate.id: s for s in scored}
    # "đăng ký khai ..." of the phrase is no evidence for the birth registration.
    assert by_id["1.001193"].evidence < procedures.min_evidence()
    decision = resolve.decide(scored, procedures.min_evidence(), rival_answers=False)
    assert decision.kind == "answer" and _ids(decision) == ["1.000656"]


def test_a_rare_pair_only_another_name_holds_makes_it_a_choice(
    procedures: resolve.NameIndex,
) -> None:
    # "hộ khẩu" reads as permanent residence, but "tách hộ" is *Tách hộ*'s own pair.
    synonyms = {"ho khau": ["dang ky thuong tru"]}
    candidates = [
        _candidate("1.004222", 0.07),
        _candidate("1.010038", 0.58),
        _candidate("1.003197", 0.4),
    ]
    question = "tach ho khau ra rieng lam o dau"
    scored = resolve.score(question, candidates, procedures, synonyms)
    decision = resolve.decide(scored, procedures.min_evidence(), rival_answers=False)
    assert decision.kind in ("choose", "unsure")
    assert set(_ids(decision)) == {"1.004222", "1.010038"}
    # Asked without "tách", the permanent residence is answered.
    plain = resolve.score("dang ky ho khau lam o dau", candidates, procedures, synonyms)
    answered = resolve.decide(plain, procedures.min_evidence(), rival_answers=False)
    assert answered.kind == "answer" and _ids(answered) == ["1.004222"]


def test_place_names_several_catalogues_hold_say_where_not_which() -> None:
    def names(path: str, key: str) -> dict[str, list[str]]:
        rows = json.loads((ROOT / "domains" / path).read_text(encoding="utf-8"))
        rows = rows["schools"] if isinstance(rows, dict) else rows
        return {row[key]: [row["name"]["vi"], row["name"]["en"]] for row in rows}

    indexes = {
        "tourism": resolve.NameIndex(names("tourism/data/attractions.json", "slug")),
        "health": resolve.NameIndex(names("health/data/hospitals.json", "id")),
        "education": resolve.NameIndex(names("education/data/schools.json", "id")),
    }
    places = resolve.localities(indexes)
    assert {"thanh hoa", "sam son"} <= places
    assert "ham rong" not in places  # an attraction and schools, no hospital
    tourism = indexes["tourism"]
    tourism.localities = places
    museum = resolve.Candidate("attraction", "thanh-hoa-provincial-museum", "museum", margin=0.7)
    rain = resolve.score("Will it rain in Thanh Hoa tomorrow?", [museum], tourism)[0]
    assert resolve.only_place_names(rain, tourism)
    asked = resolve.score("Thanh Hoa museum opening hours", [museum], tourism)[0]
    assert not resolve.only_place_names(asked, tourism)


def test_procedure_words_a_place_name_lacks(procedures: resolve.NameIndex) -> None:
    college = {"cao dang", "dang y", "y te", "thanh hoa", "cao", "dang", "y", "te"}
    question = "mat the bao hiem y te lam lai o dau"
    # "thẻ bảo hiểm" is in a procedure's name, not in the college's: more than "y tế" says.
    assert procedures.phrases_beside(question, college) > 2 * procedures.min_evidence()
    assert procedures.phrases_beside("truong cao dang y te o dau", college) == 0


def test_words_both_names_share_do_not_settle_it(procedures: resolve.NameIndex) -> None:
    # "đăng ký hộ kinh doanh" is in both names; what tells them apart ("thành lập", "thay đổi
    # nội dung") is not asked, and no change is asked: the registration, not its change,
    # whichever the search puts first.
    candidates = [_candidate("2.000720", 0.03), _candidate("1.001612", 0.7)]
    question = "mo tap hoa thi dang ky ho kinh doanh the nao"
    scored = resolve.score(question, candidates, procedures)
    decision = resolve.decide(scored, procedures.min_evidence(), rival_answers=False)
    assert decision.kind == "answer"
    assert _ids(decision) == ["1.001612"]
    # Asking for a change ("đổi"), the change.
    changing = resolve.score("muon doi dang ky ho kinh doanh", candidates, procedures)
    changed = resolve.decide(changing, procedures.min_evidence(), rival_answers=False)
    assert _ids(changed) == ["2.000720"]
    # Saying what tells them apart settles it.
    told = resolve.score("thay đổi nội dung đăng ký hộ kinh doanh", candidates, procedures)
    answered = resolve.decide(told, procedures.min_evidence(), rival_answers=False)
    assert answered.kind == "answer" and _ids(answered) == ["2.000720"]


def test_a_pair_the_names_hold_is_not_read_through_a_synonym(
    procedures: resolve.NameIndex,
) -> None:
    # Read as "đăng ký tạm trú", "tạm trú" would make *Đăng ký tạm trú* fit "gia hạn tạm
    # trú" better than *Gia hạn tạm trú*; the names hold "tạm trú" as typed.
    synonyms = {"tam tru": ["dang ky tam tru"]}
    candidates = [_candidate("1.002755", 0.53), _candidate("1.004194", 0.6)]
    scored = resolve.score("gia hạn tam tru", candidates, procedures, synonyms)
    decision = resolve.decide(scored, procedures.min_evidence(), rival_answers=False)
    assert decision.kind == "answer" and _ids(decision) == ["1.002755"]


def test_an_everyday_name_explains_its_own_words(procedures: resolve.NameIndex) -> None:
    # "sửa giấy khai sinh" means the correction of civil-status information: its words
    # ("giấy khai sinh", which other names hold) are that record's everyday name, not a
    # sign of another procedure. Its neighbours still count ("cấp lại" is not explained).
    synonyms = {"sua giay khai sinh": ["cai chinh bo sung thong tin ho tich"]}
    candidates = [_candidate("1.004859", 0.4), _candidate("2.000635", 0.1)]
    scored = resolve.score("sửa giấy khai sinh cho con", candidates, procedures, synonyms)
    correction = next(s for s in scored if s.candidate.id == "1.004859")
    assert correction.unexplained == 0
    decision = resolve.decide(scored, procedures.min_evidence(), rival_answers=False)
    assert decision.kind == "answer" and _ids(decision) == ["1.004859"]
    other = resolve.score("sửa giấy khai sinh cấp lại", candidates, procedures, synonyms)
    assert next(s for s in other if s.candidate.id == "1.004859").unexplained > 0


def test_a_word_of_the_language_is_no_swapped_aspect_word() -> None:
    # "chua" (chưa) and "tiem" (tiêm) are words, not "chau" and "time" typed with two letters
    # swapped: a question holding one reads as the same question without it.
    from actions.text import aspect_in

    for plain in (
        "chung thuc ban sao o xa duoc khong hay bat buoc ra phong cong chung",
        "lam can cuoc cho con co phai dan chau len cong an khong",
    ):
        assert aspect_in(f"em chua biet {plain}", "procedures") == aspect_in(plain, "procedures")
    assert aspect_in("lam can cuoc cho con chua 14 tuoi co phai dan chau len", "procedures") == (
        "steps"
    )
    question = "tiem chung cho con o xa duoc khong hay bat buoc ra huyen"
    assert aspect_in(question, "procedures") == "agency"
    # A swap that spells no word of the language is still read as the aspect word ("mnag").
    assert aspect_in("lam giay khai sinh qua mnag duoc khong", "procedures") == "online"


def test_how_long_asked_owns_its_han(procedures: resolve.NameIndex) -> None:
    # "thời hạn tạm trú": "hạn" belongs to "thời hạn" (how long, asked), so the extension's
    # "hạn tạm" is not shared; "gia hạn tạm trú" and "hết hạn tạm trú" still share it
    # (review R4, session 11).
    _, shared = procedures.evidence("thời hạn tạm trú tối đa bao lâu", "1.002755")
    assert "han tam" not in shared and "tam tru" in shared
    for question in ("gia hạn tạm trú ở đâu", "hết hạn tạm trú thì làm sao"):
        _, shared = procedures.evidence(question, "1.002755")
        assert "han tam" in shared, question
