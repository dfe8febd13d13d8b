"""A reply saying "the procedure you asked about is not in the catalogue" only where a procedure
was asked (review R12 of session 9): a question sharing no phrase with any procedure's name
("kết quả bóng đá Việt Nam Thái Lan", "how much is a beer") gets the out-of-scope fallback,
whatever the classifier's intent (bots/actions/resolve.py ``says_procedure``; pure Python)."""

import pytest
from actions import resolve

from tests.bots.procedure_names import procedure_index


@pytest.fixture(scope="module")
def index() -> resolve.NameIndex:
    return procedure_index()


def _scored(index: resolve.NameIndex, question: str) -> list[resolve.Scored]:
    candidates = [resolve.Candidate("procedure", code, code) for code in index.names]
    return resolve.score(question, candidates, index)


@pytest.mark.parametrize(
    ("question", "said"),
    [
        # A procedure the catalogue lacks, asked in words of procedures' names.
        ("đăng ký sim điện thoại chính chủ thế nào", True),
        ("xin giấy phép kinh doanh karaoke", True),
        ("how do I register a company", True),
        # No procedure asked: the country's name, lone syllables, nothing shared.
        ("tỉ số trận Việt Nam gặp Indonesia tối qua", False),
        ("giá một cốc bia ở Sầm Sơn", False),
        ("how much does a coffee cost", False),
    ],
)
def test_a_procedure_is_asked_only_in_words_of_procedures_names(
    index: resolve.NameIndex, question: str, said: bool
) -> None:
    assert resolve.says_procedure(_scored(index, question), index) is said
