"""Folding, search terms and language choice: what makes "sam son" find Sầm Sơn."""

import pytest

from domains.kernel.folding import fold, tokens
from domains.kernel.i18n import parse_accept_language, pick
from domains.kernel.search import query_terms, search_fields, terms


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Sầm Sơn", "sam son"),
        ("SAM SƠN", "sam son"),
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("ĐỔI GIẤY PHÉP LÁI XE", "doi giay phep lai xe"),
        ("Thành nhà Hồ – di sản!", "thanh nha ho di san"),
        ("Pù Luông, Bá Thước", "pu luong ba thuoc"),
        ("Hàm  Rồng\tcave", "ham rong cave"),
    ],
)
def test_fold_removes_case_diacritics_and_punctuation(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_decomposed_unicode_folds_like_precomposed() -> None:
    import unicodedata

    assert fold(unicodedata.normalize("NFD", "Lễ hội Lam Kinh")) == "le hoi lam kinh"


def test_procedure_codes_stay_one_token() -> None:
    assert tokens("Thủ tục 1.001193 đăng ký") == [
        "1.001193",
        "thu",
        "tuc",
        "1",
        "001193",
        "dang",
        "ky",
    ]


def test_terms_add_syllable_pairs_for_phrase_matches() -> None:
    assert terms("khai sinh") == ["khai", "sinh", "khai_sinh"]


def test_query_terms_expand_abbreviations_from_a_synonym_list() -> None:
    synonyms = {"cccd": ["can cuoc cong dan"], "bang lai": ["giay phep lai xe"]}
    assert "can_cuoc" in query_terms("làm CCCD mất mấy ngày", synonyms)
    assert "giay_phep" in query_terms("đổi bằng lái", synonyms)
    assert "giay_phep" not in query_terms("đổi bằng", synonyms)


def test_search_fields_take_every_language_and_keep_names_primary() -> None:
    fields = search_fields(
        primary=[{"vi": "Bãi biển Sầm Sơn", "en": "Sam Son Beach"}], secondary=["Thanh Hóa"]
    )
    assert {"sam_son", "beach", "bai_bien"} <= set(fields["searchPrimary"])
    assert "thanh_hoa" in fields["searchTerms"] and "thanh_hoa" not in fields["searchPrimary"]


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "vi"),
        ("en", "en"),
        ("en-US,en;q=0.9,vi;q=0.8", "en"),
        ("fr-FR,vi;q=0.5,en;q=0.4", "vi"),
        ("vi;q=0.2,en;q=0.9", "en"),
        ("de", "vi"),
        ("en;q=0", "vi"),
    ],
)
def test_accept_language_picks_the_best_supported_language(
    header: str | None, language: str
) -> None:
    assert parse_accept_language(header) == language


def test_pick_falls_back_to_vietnamese() -> None:
    text = {"vi": "Thành nhà Hồ", "en": "Ho Dynasty Citadel"}
    assert pick(text, "en") == "Ho Dynasty Citadel"
    assert pick({"vi": "Lệ phí"}, "en") == "Lệ phí"
    assert pick({"vi": "", "en": "Fee"}, "vi") == "Fee"
    assert pick(None, "vi") is None
