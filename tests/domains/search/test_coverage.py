"""The rules that reorder a search's best hits: rarity-weighted name coverage, typos and prefixes
that count as covered, qualified copies that add nothing typed, and the window they act on."""

import pytest

from domains.search import IndexSpec, Ranking, SearchIndex, TextField
from domains.search.coverage import Loose, coverage, one_edit_apart, originals, parse_name

SPEC = IndexSpec(
    text_fields=(
        TextField("name", boost=3.0, exact=True),
        TextField("aliases", boost=2.0),
        TextField("body", expand=False),
    )
)


def ids(index: SearchIndex, text: str) -> list[str]:
    return [hit.id for hit in index.search(text, limit=10).hits]


def share(index: SearchIndex, name: str, text: str) -> float:
    """The coverage of ``name`` (as the index stores it) by ``text``, with the index's weights."""
    stored = index._document({"id": "x", "name": name}).to_dict()["_names"][0]
    parsed = parse_name(stored)
    typed = index._queries.words(text)
    searcher = index._index.searcher()
    weights = index._rarity(searcher, parsed.folded)
    loose = Loose(typed, parsed.folded, [w for w in typed.fuzzy if w not in parsed.folded])
    return coverage(parsed, typed, loose, weights, index._total(parsed, weights))


@pytest.fixture
def permits() -> SearchIndex:
    """Twenty names share "cấp giấy xác nhận"; one holds the rare "karaoke"."""
    index = SearchIndex(SPEC)
    index.replace_all(
        [{"id": f"n{n}", "name": f"Cấp giấy xác nhận loại {n}"} for n in range(20)]
        + [{"id": "karaoke", "name": "Cấp giấy xác nhận karaoke"}]
    )
    return index


def test_rare_name_words_weigh_more_than_common_ones(permits: SearchIndex) -> None:
    # Counted word by word, "karaoke" would be a quarter of the name and "cấp giấy xác nhận"
    # three quarters; weighed by rarity, the word that tells the record apart is most of it.
    assert share(permits, "Cấp giấy xác nhận karaoke", "karaoke") > 0.6
    assert share(permits, "Cấp giấy xác nhận karaoke", "cấp giấy xác nhận") < 0.4
    assert share(
        permits, "Cấp giấy xác nhận karaoke", "cap giay xac nhan karaoke"
    ) == pytest.approx(1)


def test_a_typo_in_a_long_word_and_the_word_being_typed_count_as_covered(
    permits: SearchIndex,
) -> None:
    name = "Cấp giấy xác nhận karaoke"
    assert share(permits, name, "karaokee") == pytest.approx(share(permits, name, "karaoke"))
    assert share(permits, name, "xac nhan karao") == pytest.approx(
        share(permits, name, "xac nhan karaoke")
    )
    # Short words get no typo tolerance, as in the query itself.
    assert share(permits, name, "xac nhn") < share(permits, name, "xac nhan")
    # A word typed in full is that word, not also the start of a longer one.
    assert not Loose(permits._queries.words("hôn"), frozenset({"hon", "hong"}), []).held(
        frozenset({"hon", "hong"})
    )


def test_one_edit_apart() -> None:
    assert one_edit_apart("chieeu", "chieu")
    assert one_edit_apart("chiue", "chieu")  # swapped letters
    assert one_edit_apart("chiau", "chieu")
    assert not one_edit_apart("chieu", "chieu")
    assert not one_edit_apart("chau", "chieu")


def test_a_name_word_typed_with_other_accents_counts_against_it() -> None:
    index = SearchIndex(SPEC)
    index.replace_all([{"id": "a", "name": "Sầm Sơn"}, {"id": "b", "name": "Sâm Sơn"}])
    assert share(index, "Sâm Sơn", "Sầm Sơn") < share(index, "Sâm Sơn", "sơn")


QUALIFIERS = ["có yếu tố nước ngoài", "đối với tổ chức", "trường hợp bị mất", "tại cấp xã"]


def copies(name: str, count: int, body: str) -> list[dict[str, str]]:
    """Records that add to ``name`` a qualifier and a number."""
    return [
        {"id": f"copy-{n}", "name": f"{name} {QUALIFIERS[n % len(QUALIFIERS)]} {n}", "body": body}
        for n in range(count)
    ]


def test_a_qualified_copy_that_adds_nothing_typed_comes_after_the_record() -> None:
    # The copies come first in the index, so they win every tie without the rule.
    records = [
        *copies("Đăng ký khai tử", 12, "phiếu báo"),
        {"id": "death", "name": "Đăng ký khai tử", "body": "phiếu báo"},
    ]
    index = SearchIndex(SPEC)
    index.replace_all(records)
    # Only the body matches: every copy ties with the record.
    assert ids(index, "phiếu báo")[0] == "death"
    assert ids(index, "khai tu")[0] == "death"
    # A copy whose added words were mostly asked for is not demoted.
    assert ids(index, "khai tử có yếu tố nước ngoài")[0] in {"copy-0", "copy-4", "copy-8"}
    without = SearchIndex(SPEC, ranking=Ranking(redundant=1.0))
    without.replace_all(records)
    assert ids(without, "phiếu báo")[0] != "death"


def test_a_copy_whose_added_words_hold_only_a_common_typed_word_is_still_a_copy() -> None:
    # "cho" is in every record; the copies add "cho người Việt Nam ở nước ngoài" to the name.
    # Only the body holds "phiếu báo", so only the copies' "cho" tells them apart.
    records = [
        *[
            {"id": f"copy-{n}", "name": f"Đăng ký khai tử cho người Việt Nam ở nước ngoài {n}"}
            for n in range(5)
        ],
        {"id": "death", "name": "Đăng ký khai tử"},
        *[{"id": f"f{n}", "name": f"Thủ tục {n}"} for n in range(20)],
    ]
    for record in records:
        record["body"] = "phiếu báo nộp cho xã" if "khai" in record["name"] else "nộp cho xã"
    index = SearchIndex(SPEC)
    index.replace_all(records)
    assert ids(index, "phiếu báo cho bố")[0] == "death"
    assert ids(index, "khai tử cho người việt nam ở nước ngoài")[0].startswith("copy-")


def test_a_record_that_holds_another_but_adds_what_was_asked_is_no_copy() -> None:
    records = [
        {"id": "birth", "name": "Đăng ký khai sinh", "body": "giấy chứng sinh của trẻ em"},
        {
            "id": "linked",
            "name": "Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, "
            "cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        },
        *[{"id": f"f{n}", "name": f"Đăng ký khai sinh loại {n}"} for n in range(10)],
    ]
    index = SearchIndex(SPEC)
    index.replace_all(records)
    assert ids(index, "bảo hiểm trẻ em")[0] == "linked"
    assert ids(index, "đăng ký khai sinh")[0] == "birth"


def test_copies_compare_words_with_their_accents_and_language_by_language() -> None:
    short = parse_name("sam:sầm son:sơn")
    other_accents = parse_name("bai:bãi sam:sâm son:sơn")
    same_accents = parse_name("bai:bãi sam:sầm son:sơn")
    typed = SearchIndex(SPEC)._queries.words("son")
    loose = Loose(typed, frozenset({"sam", "son", "bai"}), [])
    weights = {"sam": 1.0, "son": 1.0, "bai": 1.0, "beach": 1.0, "rock": 1.0}
    assert originals([[short], [other_accents]], typed, loose, weights) == [None, None]
    assert originals([[short], [same_accents]], typed, loose, weights) == [None, 0]
    # Each language on its own: a copy in Vietnamese whose English name is not one is kept.
    english = parse_name("sam:sam son:son rock:rock")
    beach = parse_name("sam:sam son:son beach:beach")
    assert originals([[short, english], [same_accents, beach]], typed, loose, weights) == [
        None,
        None,
    ]


def test_the_window_holds_a_record_and_a_family_of_tied_copies() -> None:
    records = [
        *copies("Đăng ký khai tử", 25, "phiếu báo"),
        {"id": "death", "name": "Đăng ký khai tử", "body": "phiếu báo"},
    ]
    index = SearchIndex(SPEC)
    index.replace_all(records)
    assert ids(index, "phieu bao")[0] == "death"
    narrow = SearchIndex(SPEC, ranking=Ranking(coverage_window=20))
    narrow.replace_all(records)
    assert ids(narrow, "phieu bao")[0] != "death"


def test_renamed_records_are_ranked_by_their_new_names() -> None:
    # Searches keep what they learnt of names between them; a write must change what they see.
    records = [
        *copies("Đăng ký khai tử", 3, "phiếu báo"),
        {"id": "death", "name": "Đăng ký khai tử", "body": "phiếu báo"},
    ]
    index = SearchIndex(SPEC)
    index.replace_all(records)
    assert ids(index, "phieu bao")[0] == "death"
    index.upsert_many(
        [
            {"id": "death", "name": "Đăng ký khai tử tại cấp xã 7", "body": "phiếu báo"},
            {"id": "copy-0", "name": "Đăng ký khai tử", "body": "phiếu báo"},
        ]
    )
    assert ids(index, "phieu bao")[0] == "copy-0"
    assert ids(index, "phieu bao").index("death") > 0


def test_demoted_copies_keep_pages_in_score_order() -> None:
    index = SearchIndex(SPEC, ranking=Ranking(coverage_window=10))
    index.replace_all(
        [*copies("Đăng ký khai tử", 30, "giấy báo tử"), {"id": "death", "name": "Đăng ký khai tử"}]
    )
    everything = index.search("khai tu giay bao", limit=100)
    paged = []
    for offset in range(0, everything.total, 4):
        paged += index.search("khai tu giay bao", limit=4, offset=offset).hits
    assert [hit.id for hit in paged] == [hit.id for hit in everything.hits]
    scores = [hit.score for hit in everything.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= hit.margin <= 1.0 for hit in paged)


def test_word_weights_follow_writes(permits: SearchIndex) -> None:
    before = share(permits, "Cấp giấy xác nhận karaoke", "karaoke")
    permits.upsert_many([{"id": f"k{n}", "name": f"Giấy phép karaoke số {n}"} for n in range(40)])
    # "karaoke" is common now: it explains less of the name.
    assert share(permits, "Cấp giấy xác nhận karaoke", "karaoke") < before


def test_a_typed_word_may_be_the_initials_of_a_run_of_name_words() -> None:
    spec = IndexSpec(text_fields=(TextField("name", boost=3.0, exact=True, initials=True),))
    records = [
        {"id": "yhct", "name": "Bệnh viện Y học cổ truyền tỉnh Thanh Hóa"},
        {"id": "eye", "name": "Bệnh viện Mắt Thanh Hóa"},
        {"id": "general", "name": "Bệnh viện Đa khoa tỉnh Thanh Hóa"},
    ]
    index = SearchIndex(spec)
    index.replace_all(records)
    assert ids(index, "bv yhct")[0] == "yhct"
    assert ids(index, "BVĐKTTH") == ["general"]
    # Two letters are everyday syllables, not initials; a field without the option has none.
    assert ids(index, "bv") == []
    plain = SearchIndex(SPEC)
    plain.replace_all(records)
    assert ids(plain, "yhct") == []
