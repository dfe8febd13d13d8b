"""What a user of a catalogue's search notices: accents, phrases, codes, typos, synonyms, limits."""

import pytest

from domains.search import IndexSpec, QueryTooLong, Ranking, SearchIndex, TextField

SPEC = IndexSpec(
    text_fields=(
        TextField("name", boost=3.0, exact=True),
        TextField("aliases", boost=2.0),
        TextField("body", expand=False),
    ),
    code_fields=("codes",),
    filter_fields=("agency",),
    stored_fields=("name", "agency"),
)
SYNONYMS = {
    "cccd": ["căn cước công dân"],
    "gplx": ["giấy phép lái xe"],
    "sổ đỏ": ["giấy chứng nhận quyền sử dụng đất"],
}
RECORDS = [
    {
        "id": "birth",
        "name": "Đăng ký khai sinh",
        "codes": ["1.001193"],
        "agency": "UBND cấp xã",
        "body": "Tờ khai đăng ký khai sinh và giấy chứng sinh.",
    },
    {
        "id": "residence",
        "name": "Khai báo tạm trú cho người nước ngoài",
        "aliases": ["đăng ký tạm trú"],
        "codes": ["1.004194"],
        "agency": "Công an",
        "body": "Sinh viên, người lao động khai báo nơi ở.",
    },
    {"id": "beach", "name": "Bãi biển Sầm Sơn", "body": "Bãi tắm nổi tiếng của Thanh Hóa."},
    {"id": "hamlet", "name": "Sâm Sơn", "body": "Thôn ở huyện miền núi."},
    {
        "id": "id-card",
        "name": "Cấp thẻ căn cước công dân",
        "codes": ["2.001255"],
        "agency": "Công an",
    },
    {"id": "licence", "name": "Đổi giấy phép lái xe", "codes": ["1.002804"], "agency": "Sở GTVT"},
    {
        "id": "land",
        "name": "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
        "agency": "Sở Tài nguyên và Môi trường",
    },
    {"id": "passport", "name": "Cấp hộ chiếu phổ thông", "agency": "Công an"},
]


@pytest.fixture
def index() -> SearchIndex:
    search_index = SearchIndex(SPEC, synonyms=SYNONYMS)
    assert search_index.replace_all(RECORDS) == len(RECORDS)
    return search_index


def ids(index: SearchIndex, text: str, **kwargs: object) -> list[str]:
    return [hit.id for hit in index.search(text, **kwargs).hits]  # type: ignore[arg-type]


def test_accents_and_case_do_not_matter(index: SearchIndex) -> None:
    plain = ids(index, "sam son")
    assert set(plain[:2]) == {"beach", "hamlet"}
    assert ids(index, "SẦM SƠN") == ids(index, "Sầm Sơn")
    assert set(ids(index, "SẦM SƠN")[:2]) == {"beach", "hamlet"}
    assert ids(index, "dang ky khai sinh")[0] == "birth"
    assert ids(index, "ĐĂNG KÝ KHAI SINH")[0] == "birth"


def test_d_with_stroke_folds_to_d(index: SearchIndex) -> None:
    assert ids(index, "doi giay phep")[0] == "licence"
    assert ids(index, "đổi giấy phép")[0] == "licence"


def test_accents_typed_exactly_rank_the_accented_record_first(index: SearchIndex) -> None:
    assert ids(index, "Sầm Sơn")[0] == "beach"
    assert ids(index, "Sâm Sơn")[0] == "hamlet"


def test_adjacent_syllables_beat_the_same_syllables_apart(index: SearchIndex) -> None:
    found = ids(index, "khai sinh")
    assert found[0] == "birth"
    # "residence" holds "khai" and "sinh" too, but apart.
    assert "residence" in found


def test_a_code_finds_exactly_its_record(index: SearchIndex) -> None:
    result = index.search("1.001193")
    assert [hit.id for hit in result.hits] == ["birth"]
    assert ids(index, "thủ tục 1.004194,")[0] == "residence"


def test_a_typo_in_a_long_word_still_finds_the_record(index: SearchIndex) -> None:
    assert ids(index, "ho chieeu")[0] == "passport"
    assert ids(index, "ho chiue")[0] == "passport"


def test_short_words_get_no_typo_tolerance(index: SearchIndex) -> None:
    assert index.search("xw").hits == []


def test_the_last_word_matches_as_a_prefix_while_typing(index: SearchIndex) -> None:
    assert ids(index, "dang ky kh")[0] == "birth"
    assert ids(index, "ho chi")[0] == "passport"


@pytest.mark.parametrize(
    "text",
    ['"khai sinh', "name:khai", "khai*", "(khai", "-sinh", "khai AND sinh", "khai~2", "a:b*(c-d)~"],
)
def test_query_syntax_characters_are_plain_text(index: SearchIndex, text: str) -> None:
    index.search(text)
    assert index.search("name:" + "khai sinh").hits[0].id == "birth"


def test_over_long_text_is_refused_with_a_clear_error(index: SearchIndex) -> None:
    index.search("a" * 200)
    with pytest.raises(QueryTooLong) as error:
        index.search("a" * 201)
    assert isinstance(error.value, ValueError)
    assert "200" in str(error.value)
    short = SearchIndex(SPEC, ranking=Ranking(max_query_length=10))
    with pytest.raises(QueryTooLong):
        short.search("khai sinh ơi")


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "?!", "---"])
def test_empty_text_finds_nothing(index: SearchIndex, text: str) -> None:
    result = index.search(text)
    assert result.hits == []
    assert result.total == 0
    assert result.margin == 0.0


def test_synonyms_from_the_callers_map(index: SearchIndex) -> None:
    assert ids(index, "cccd")[0] == "id-card"
    assert ids(index, "CCCD bị mất")[0] == "id-card"
    assert ids(index, "đổi gplx")[0] == "licence"
    assert ids(index, "so do")[0] == "land"
    assert ids(index, "làm sổ đỏ")[0] == "land"
    without = SearchIndex(SPEC)
    without.replace_all(RECORDS)
    assert without.search("cccd").hits == []


def test_rare_words_outweigh_common_ones() -> None:
    common = [{"id": f"filler-{n}", "name": f"Cấp giấy xác nhận loại {n}"} for n in range(20)]
    rare = {"id": "marriage", "name": "Xác nhận tình trạng hôn nhân"}
    index = SearchIndex(SPEC)
    index.replace_all([*common, rare])
    # "cấp giấy" is shared with 20 records; "hôn" only with one.
    assert ids(index, "cấp giấy hôn")[0] == "marriage"


def test_common_words_are_computed_from_the_index() -> None:
    index = SearchIndex(SPEC)
    index.replace_all(
        [{"id": str(n), "name": f"Cấp giấy phép số {n}"} for n in range(10)]
        + [{"id": "x", "name": "Đăng ký kết hôn", "body": "cấp"}]
    )
    assert index.document_frequency("CẤP") == 11
    assert index.document_frequency("hôn") == 1
    common = index.common_terms(0.5)
    assert set(common) == {"cap", "giay", "phep", "so"}
    assert common["cap"] == 1.0


def test_each_hit_carries_its_score_margin_and_stored_fields(index: SearchIndex) -> None:
    result = index.search("khai sinh", limit=1)
    top = result.hits[0]
    assert top.fields == {"name": "Đăng ký khai sinh", "agency": "UBND cấp xã"}
    assert 0 < top.margin < 1
    assert result.total >= 2
    # The margin is relative to the next hit even when that hit is past the limit.
    both = index.search("khai sinh", limit=2).hits
    assert top.margin == pytest.approx((both[0].score - both[1].score) / both[0].score)
    assert index.search("1.001193").margin == 1.0


def test_a_vague_query_has_a_small_margin(index: SearchIndex) -> None:
    assert index.search("sơn").margin < index.search("bãi biển sầm sơn").margin


def test_filters_keep_only_matching_records(index: SearchIndex) -> None:
    assert set(ids(index, "cấp", filters={"agency": "công an"})) == {"id-card", "passport"}
    assert ids(index, "cấp", filters={"agency": ["Sở GTVT", "Công an"]})
    with pytest.raises(ValueError, match="not a filter field"):
        index.search("cấp", filters={"name": "x"})


def test_upsert_and_delete_are_visible_to_the_next_search(index: SearchIndex) -> None:
    index.upsert({"id": "adoption", "name": "Đăng ký nuôi con nuôi"})
    assert ids(index, "nuoi con nuoi") == ["adoption"]
    index.upsert({"id": "adoption", "name": "Đăng ký giám hộ"})
    assert ids(index, "nuoi con nuoi") == []
    assert ids(index, "giam ho")[0] == "adoption"
    assert len(index) == len(RECORDS) + 1
    index.delete("birth")
    assert "birth" not in ids(index, "khai sinh")
    index.delete("never-there")
    assert len(index) == len(RECORDS)


def test_replace_all_swaps_the_whole_catalogue(index: SearchIndex) -> None:
    index.replace_all([{"id": "only", "name": "Khai sinh mới"}])
    assert ids(index, "khai sinh") == ["only"]
    assert len(index) == 1


def test_decomposed_unicode_input_matches_like_composed(index: SearchIndex) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    assert ids(index, decomposed)[0] == "birth"


QUALIFIERS = ["cho người nước ngoài", "đối với tổ chức", "cấp lại lần hai", "tại cấp xã"]


def variants(name: str, count: int) -> list[dict[str, str]]:
    """Records whose names add to ``name`` a qualifier nobody in the tests asks for."""
    return [
        {"id": f"{name}-{n}", "name": f"{name} {QUALIFIERS[n % len(QUALIFIERS)]} {n}"}
        for n in range(count)
    ]


def test_the_record_whose_name_the_query_covers_beats_its_qualified_variants() -> None:
    index = SearchIndex(SPEC, synonyms=SYNONYMS)
    index.replace_all(
        [
            {"id": "marriage", "name": "Đăng ký kết hôn"},
            {"id": "licence", "name": "Cấp lại giấy phép lái xe"},
            *variants("Đăng ký kết hôn", 20),
            *variants("Cấp lại giấy phép lái xe", 20),
        ]
    )
    # A common typed word ("cho", "với") that only a qualifier holds no longer outweighs a
    # name matched in full; a synonym (GPLX) counts as the words it stands for.
    assert ids(index, "đăng ký kết hôn cho tôi")[0] == "marriage"
    assert ids(index, "dang ky ket hon voi ban gai")[0] == "marriage"
    assert ids(index, "cấp lại gplx cho bố")[0] == "licence"
    # Without the coverage, the variant that holds the extra typed word came first.
    plain = SearchIndex(SPEC, synonyms=SYNONYMS, ranking=Ranking(coverage=0.0))
    plain.replace_all(
        [{"id": "marriage", "name": "Đăng ký kết hôn"}, *variants("Đăng ký kết hôn", 20)]
    )
    assert ids(plain, "đăng ký kết hôn cho tôi")[0] != "marriage"


def test_pages_across_the_reordered_window_neither_skip_nor_repeat() -> None:
    index = SearchIndex(SPEC, ranking=Ranking(coverage_window=10))
    index.replace_all([{"id": "marriage", "name": "Đăng ký kết hôn"}, *variants("kết hôn", 40)])
    everything = index.search("ket hon cho to chuc", limit=100)
    paged = []
    for offset in range(0, everything.total, 7):
        paged += index.search("ket hon cho to chuc", limit=7, offset=offset).hits
    assert [hit.id for hit in paged] == [hit.id for hit in everything.hits]
    scores = [hit.score for hit in everything.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= hit.margin <= 1.0 for hit in paged)
