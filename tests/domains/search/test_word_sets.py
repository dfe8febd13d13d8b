"""A field scored as a set of words (``TextField.word_set``): everyday names, however many."""

import pytest

from domains.search import IndexSpec, SearchIndex, TextField


def spec(*, word_set: bool) -> IndexSpec:
    return IndexSpec(
        text_fields=(
            TextField("name", boost=3.0, exact=True),
            TextField("aliases", boost=2.0, word_set=word_set),
            TextField("body", expand=False),
        ),
    )


CHANGE_OF_NAME = {
    "id": "change-of-name",
    "name": "Thay đổi, cải chính thông tin hộ tịch",
    "aliases": ["đổi họ tên", "sửa tên cho con"],
    "body": "Tờ khai thay đổi hộ tịch.",
}
LICENCE = {
    "id": "licence",
    "name": "Đổi giấy phép lái xe",
    "aliases": ["đổi bằng lái", "bằng lái hết hạn"],
    "body": "Đơn đề nghị đổi giấy phép lái xe.",
}
LAND = {
    "id": "land",
    "name": "Đăng ký biến động quyền sử dụng đất",
    "aliases": ["sang tên sổ đỏ"],
    "body": "Hợp đồng chuyển nhượng quyền sử dụng đất.",
}
OTHERS = [
    {"id": "birth", "name": "Đăng ký khai sinh", "body": "Tờ khai đăng ký khai sinh."},
    {"id": "marriage", "name": "Đăng ký kết hôn", "body": "Tờ khai đăng ký kết hôn."},
    {"id": "passport", "name": "Cấp hộ chiếu phổ thông", "body": "Tờ khai đề nghị cấp hộ chiếu."},
]
# What a helper might write for the land one day: many everyday names, none a word of the query.
MANY_NAMES = [
    f"{verb} {whose} {thing}"
    for verb in ("inherit", "inherited", "sell", "sold", "buy", "bought")
    for whose in ("my", "our", "his", "her", "the")
    for thing in ("house", "plot")
]


def scores(index: SearchIndex, text: str) -> dict[str, float]:
    return {hit.id: hit.score for hit in index.search(text, limit=10).hits}


def built(*, word_set: bool, land_names: list[str]) -> SearchIndex:
    """The catalogue as built from its data, with the land's everyday names."""
    index = SearchIndex(spec(word_set=word_set))
    index.replace_all([CHANGE_OF_NAME, LICENCE, {**LAND, "aliases": land_names}, *OTHERS])
    return index


def test_a_record_keeps_its_score_when_another_gains_many_everyday_names() -> None:
    query = "đổi tên cho con"
    before = scores(built(word_set=True, land_names=LAND["aliases"]), query)
    assert list(before)[:3] == ["change-of-name", "licence", "land"]
    after = scores(built(word_set=True, land_names=[*LAND["aliases"], *MANY_NAMES]), query)
    assert list(after) == list(before)
    # Nor the land's own: "tên" of "sang tên" weighs the same among 61 names as among one.
    assert after == pytest.approx(before, rel=1e-6)


def test_with_bm25_length_normalisation_the_same_names_would_move_the_others() -> None:
    # Why the aliases are a set of words: BM25 divides by the field's average length, which the
    # land's names lengthen for every record (the example above is not vacuous).
    query = "đổi tên cho con"
    before = scores(built(word_set=False, land_names=LAND["aliases"]), query)
    after = scores(built(word_set=False, land_names=[*LAND["aliases"], *MANY_NAMES]), query)
    assert after["licence"] != pytest.approx(before["licence"], rel=1e-3)


def test_a_word_repeated_across_a_records_names_counts_once() -> None:
    index = SearchIndex(spec(word_set=True))
    once = {"id": "once", "name": "Cấp mới giấy phép", "aliases": ["bằng lái"]}
    often = {
        "id": "often",
        "name": "Đổi giấy phép",
        "aliases": ["bằng lái", "đổi bằng lái", "bằng lái hết hạn", "gia hạn bằng lái"],
    }
    index.replace_all([once, often, *OTHERS])
    found = scores(index, "bằng lái")
    assert found["often"] == pytest.approx(found["once"], rel=1e-6)


def test_a_write_reweighs_the_words_of_the_next_search() -> None:
    index = SearchIndex(spec(word_set=True))
    exchange = {"id": "exchange", "name": "Đổi giấy phép", "aliases": ["bằng lái"]}
    index.replace_all([exchange, *OTHERS])
    alone = scores(index, "bằng lái")["exchange"]
    # Every other record mentioning a driving licence makes "bằng lái" common words: they weigh
    # less from the next search on (the query built before the write is not reused).
    index.upsert_many({**record, "body": "Mang theo bằng lái."} for record in OTHERS)
    assert scores(index, "bằng lái")["exchange"] < alone


def test_a_set_of_words_has_no_accented_or_initials_copy() -> None:
    with pytest.raises(ValueError, match="word_set"):
        TextField("aliases", word_set=True, exact=True)
