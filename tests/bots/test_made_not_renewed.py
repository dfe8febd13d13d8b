"""A paper asked to be made, with no change, loss or expiry said, where the search ranks the
records renewing it first (eleventh session, review R5): "làm căn cước ở đâu" offered the card's
exchange or re-issue, neither asked; the records making the card are.

Pure Python, on the demo procedure names; the phrasings are written here.
"""

import json

import pytest
from actions import resolve
from actions.text import fold

from tests.bots.procedure_names import PROCEDURES, decide_ranked, procedure_index

EXCHANGE = "2.001195"
REISSUE = "2.001194"
FOURTEEN_AND_OVER = "2.000200"
UNDER_FOURTEEN = "1.014062"
# As the search ranks them for a plain "làm căn cước": short names renewing the card first.
RANKED = ((EXCHANGE, 0.04), (REISSUE, 0.18), (FOURTEEN_AND_OVER, 0.10), (UNDER_FOURTEEN, 0.62))
SYNONYM_FILE = PROCEDURES.parent / "synonyms.json"


def _synonyms() -> dict[str, list[str]]:
    """The procedures' everyday names, folded as the action server reads them."""
    folded: dict[str, list[str]] = {}
    for phrase, expansions in json.loads(SYNONYM_FILE.read_text(encoding="utf-8")).items():
        listed = [expansions] if isinstance(expansions, str) else expansions
        folded.setdefault(fold(phrase), []).extend(fold(text) for text in listed)
    return folded


SYNONYMS = _synonyms()


@pytest.fixture(scope="module")
def procedures() -> resolve.NameIndex:
    return procedure_index()


@pytest.mark.parametrize(
    "question",
    [
        "làm căn cước nộp ở đâu",
        "lam can cuoc can giay to gi",
        "xin cccd mất mấy ngày",
        "le phi lam cccd",
    ],
)
def test_a_card_asked_to_be_made_offers_the_records_making_it(
    procedures: resolve.NameIndex, question: str
) -> None:
    decision = decide_ranked(procedures, question, RANKED, SYNONYMS, heads=True)
    assert decision.kind == "choose"
    assert {option.candidate.id for option in decision.options} == {
        FOURTEEN_AND_OVER,
        UNDER_FOURTEEN,
    }


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # A loss, an expiry or an exchange said: the renewal, as before.
        ("mất căn cước rồi làm lại ở đâu", REISSUE),
        ("cccd hết hạn thì đổi ở đâu", EXCHANGE),
        ("đổi thẻ căn cước cần gì", EXCHANGE),
        # An age or the first time said: the record for it.
        ("làm căn cước cho bé 9 tuổi ở đâu", UNDER_FOURTEEN),
        ("làm cccd lần đầu cần gì", FOURTEEN_AND_OVER),
    ],
)
def test_a_renewal_or_an_age_said_keeps_its_record(
    procedures: resolve.NameIndex, question: str, expected: str
) -> None:
    decision = decide_ranked(procedures, question, RANKED, SYNONYMS, heads=True)
    assert decision.kind == "answer"
    assert decision.best is not None and decision.best.candidate.id == expected


def test_more_said_of_the_card_than_making_it_offers_no_record_making_it(
    procedures: resolve.NameIndex,
) -> None:
    # A wrong date of birth on the card is why one renews it, not a first card.
    decision = decide_ranked(
        procedures, "căn cước bị in sai ngày sinh thì sao", RANKED, SYNONYMS, heads=True
    )
    assert FOURTEEN_AND_OVER not in {option.candidate.id for option in decision.options}
