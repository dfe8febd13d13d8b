"""Searching and browsing the seeded demo catalogue through /graphql, as the app and chatbot do."""

import json
from pathlib import Path
from typing import Any

import pytest

from domains.procedures.seed import DATA_PATH
from tests.conftest import GraphQLClient

SEARCH = """
query($search: String, $field: String, $level: AdministrativeLevel, $first: Int,
      $after: String, $lang: Language, $online: OnlineLevel, $agency: String) {
  procedures(search: $search, field: $field, level: $level, first: $first, after: $after,
             lang: $lang, onlineLevel: $online, agency: $agency) {
    totalCount
    edges { cursor node { code name } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def search(gql: GraphQLClient, text: str | None, **variables: Any) -> dict[str, Any]:
    body = await gql(SEARCH, {"search": text, **variables})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["procedures"]
    return result


def codes(result: dict[str, Any]) -> list[str]:
    return [edge["node"]["code"] for edge in result["edges"]]


@pytest.fixture(scope="module")
def demo_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(Path(DATA_PATH).read_text(encoding="utf-8"))
    return records


async def test_whole_demo_catalogue_loads_and_is_valid(
    catalogue: int, demo_records: list[dict[str, Any]]
) -> None:
    records = demo_records
    assert len(records) >= 40
    # Every record passed validation: a rejected demo row would make this smaller.
    assert catalogue == len(records)


async def test_seeding_twice_changes_nothing(catalogue: int, db, gql: GraphQLClient) -> None:
    from domains.procedures.seed import seed_demo

    before = await db["procedures"].count_documents({})
    assert await seed_demo(db=db, progress=lambda done, total: None) == catalogue
    assert await db["procedures"].count_documents({}) == before == catalogue


# Queries written the way people type them, and the procedure that must come first.
RANKING = [
    ("khai sinh", "1.001193"),
    ("KHAI SINH", "1.001193"),
    ("đăng ký khai sinh", "1.001193"),
    ("dang ky khai sinh", "1.001193"),
    ("Đăng Ký Khai Sinh", "1.001193"),
    ("birth registration", "1.001193"),
    ("đăng ký lại khai sinh", "1.004884"),
    ("dang ki ket hon", "1.000894"),
    ("marriage", "1.000894"),
    ("xac nhan doc than", "1.004873"),
    ("khai tu", "1.000656"),
    ("giay phep lai xe", "3.000347"),
    ("GPLX", "3.000347"),
    ("đổi bằng lái", "3.000347"),
    ("cap lai gplx", "3.000348"),
    ("cấp đổi CCCD", "2.001195"),
    ("lam lai cccd", "2.001194"),
    ("cccd cho tre duoi 14 tuoi", "1.014062"),
    ("BHYT cho tre em", "2.000986"),
    ("so do", "1.013978"),
    ("làm sổ đỏ", "1.013978"),
    ("sang ten so do", "1.013831"),
    ("red book", "1.013978"),
    ("dang ky tam tru", "1.004194"),
    ("thuong tru", "1.004222"),
    ("xin phep xay nha", "1.013225"),
    ("mở quán ăn", "1.001612"),
    ("ly lich tu phap", "3.000333"),
    ("criminal record", "3.000333"),
    ("sao y ban chinh", "2.000815"),
    ("passport", "1.001456"),
    ("hộ chiếu", "1.001456"),
    ("vao lop 10", "3.000181"),
    ("chuyen truong", "2.002481"),
    ("đổi tên", "1.004859"),
    ("tien mai tang", "1.001731"),
    ("bien so xe", "1.010910"),
    ("the huong dan vien quoc te", "1.004628"),
]


@pytest.mark.parametrize(("query", "expected"), RANKING, ids=[q for q, _ in RANKING])
async def test_ranked_search_puts_the_right_procedure_first(
    catalogue: int, gql: GraphQLClient, query: str, expected: str
) -> None:
    result = await search(gql, query, first=5)
    assert codes(result)[:1] == [expected], codes(result)


async def test_accents_and_case_do_not_change_results(catalogue: int, gql: GraphQLClient) -> None:
    variants = ["khai sinh", "KHAI SINH", "khai sinh", "Khai Sinh", "khai  sinh!"]
    results = [codes(await search(gql, text, first=10)) for text in variants]
    assert all(result == results[0] for result in results)
    assert results[0][0] == "1.001193"


@pytest.mark.parametrize("phrase", ["căn cước", "hôn nhân", "chứng thực"])
async def test_name_matches_rank_above_matches_elsewhere(
    catalogue: int, gql: GraphQLClient, phrase: str
) -> None:
    # Many records mention these words only in their documents or agency ("bản sao thẻ căn
    # cước"): they are found, but below every procedure whose name has the words.
    result = await search(gql, phrase, first=50)
    names = {edge["node"]["code"]: edge["node"]["name"].lower() for edge in result["edges"]}
    order = codes(result)
    in_name = [code for code in order if phrase in names[code]]
    elsewhere = [code for code in order if phrase not in names[code]]
    assert in_name and elsewhere
    assert order[: len(in_name)] == in_name


async def test_driving_licence_query_finds_both_licence_procedures(
    catalogue: int, gql: GraphQLClient
) -> None:
    result = await search(gql, "giay phep lai xe", first=3)
    assert set(codes(result)[:2]) == {"3.000347", "3.000348"}


async def test_a_code_finds_exactly_that_procedure(catalogue: int, gql: GraphQLClient) -> None:
    result = await search(gql, " 1.001193 ")
    assert result["totalCount"] == 1
    assert codes(result) == ["1.001193"]
    assert (await search(gql, "9.999999"))["totalCount"] == 0


async def test_unmatched_query_returns_nothing(catalogue: int, gql: GraphQLClient) -> None:
    result = await search(gql, "xyzzy qwertyu")
    assert result == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


async def test_search_pages_follow_on_without_repeats(catalogue: int, gql: GraphQLClient) -> None:
    everything = await search(gql, "dang ky", first=100)
    seen: list[str] = []
    after = None
    while True:
        page = await search(gql, "dang ky", first=4, after=after)
        assert page["totalCount"] == everything["totalCount"]
        seen += codes(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == codes(everything)
    assert len(seen) == everything["totalCount"] > 8


async def test_filters_narrow_search_and_browsing(catalogue: int, gql: GraphQLClient) -> None:
    civil = await search(gql, "khai sinh", field="Hộ tịch", first=50)
    assert civil["totalCount"] > 0
    assert set(codes(civil)) <= set(codes(await search(gql, "khai sinh", first=50)))
    # The field filter takes a key from procedureFields or the name, with or without accents.
    by_key = await search(gql, None, field="ho-tich", first=50)
    by_plain = await search(gql, None, field="ho tich", first=50)
    assert codes(by_key) == codes(by_plain) and by_key["totalCount"] >= 8
    province = await search(gql, None, level="PROVINCE", first=50)
    assert "2.001195" in codes(province) and "1.001193" not in codes(province)
    full = await search(gql, None, online="FULL", first=100)
    assert "1.001193" in codes(full) and "1.000894" not in codes(full)
    none = await search(gql, None, field="no such field", first=5)
    assert none["totalCount"] == 0


async def test_browsing_without_search_is_alphabetical(catalogue: int, gql: GraphQLClient) -> None:
    result = await search(gql, None, first=100)
    assert result["totalCount"] == catalogue
    from domains.kernel.folding import fold

    names = [fold(edge["node"]["name"]) for edge in result["edges"]]
    assert names == sorted(names)


async def test_procedure_fields_count_the_catalogue(catalogue: int, gql: GraphQLClient) -> None:
    body = await gql("{ procedureFields(lang: EN) { key name count } }")
    fields = body["data"]["procedureFields"]
    assert sum(item["count"] for item in fields) == catalogue
    civil = next(item for item in fields if item["key"] == "ho-tich")
    assert civil["name"] == "Civil status"
    listed = await search(gql, None, field=civil["key"], first=100)
    assert listed["totalCount"] == civil["count"]
    counts = [item["count"] for item in fields]
    assert counts == sorted(counts, reverse=True)


PROCEDURE = """
query($code: String!, $lang: Language) {
  procedure(code: $code, lang: $lang) {
    code name field agency level onlineLevel legacyOnlineLevel applicants
    documents { name originals copies form } steps processingTime { text workingDays }
    fees { amountVnd condition } conditions result legalBasis { document articles }
    onlineUrl source { name url } updatedAt retired
    translations { name { vi en } steps { vi en } }
  }
}
"""


async def test_procedure_by_code_in_both_languages(
    catalogue: int, gql: GraphQLClient, demo_records: list[dict[str, Any]]
) -> None:
    records = {r["code"]: r for r in demo_records}
    record = records["1.001193"]
    vi = (await gql(PROCEDURE, {"code": "1.001193"}))["data"]["procedure"]
    en = (await gql(PROCEDURE, {"code": "1.001193", "lang": "EN"}))["data"]["procedure"]
    assert vi["name"] == record["name"]["vi"] and en["name"] == record["name"]["en"]
    assert vi["level"] == "COMMUNE" and vi["retired"] is False
    assert vi["updatedAt"] == record["updatedAt"]
    assert [d["name"] for d in vi["documents"]] == [d["name"]["vi"] for d in record["documents"]]
    assert [f["amountVnd"] for f in vi["fees"]] == [f["amountVnd"] for f in record["fees"]]
    assert vi["legacyOnlineLevel"] is None  # unknown stays unknown
    assert en["translations"]["name"] == {"vi": record["name"]["vi"], "en": record["name"]["en"]}
    # Accept-Language chooses the language when no `lang` is given.
    body = await gql(PROCEDURE, {"code": "1.001193"}, headers={"Accept-Language": "en-GB"})
    assert body["data"]["procedure"]["name"] == record["name"]["en"]


async def test_missing_and_malformed_codes(catalogue: int, gql: GraphQLClient) -> None:
    body = await gql(PROCEDURE, {"code": "1.999999"})
    assert body["data"]["procedure"] is None and "errors" not in body
    body = await gql(PROCEDURE, {"code": "khai sinh"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "1.001193" in body["errors"][0]["message"]


async def test_bad_arguments_are_explained(catalogue: int, gql: GraphQLClient) -> None:
    body = await gql(SEARCH, {"search": "khai sinh", "first": 500})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await gql(SEARCH, {"search": "khai sinh", "after": "not-a-cursor"})
    assert "cursor" in body["errors"][0]["message"]
    body = await gql(SEARCH, {"search": "x" * 500})
    assert "shorten" in body["errors"][0]["message"]


def plan_stages(explained: Any) -> list[str]:
    """Every `stage` named anywhere in an explain document (winning plans, inner stages)."""
    found: list[str] = []
    if isinstance(explained, dict):
        for key, value in explained.items():
            if key == "stage" and isinstance(value, str):
                found.append(value)
            elif key not in ("rejectedPlans", "command"):
                found += plan_stages(value)
    elif isinstance(explained, list):
        for item in explained:
            found += plan_stages(item)
    return found


async def test_code_look_up_uses_an_index(catalogue: int, db) -> None:
    # Ranked search no longer queries MongoDB for matches (the in-process index ranks); the code
    # look-up and the page's documents are read by _id.
    stages = plan_stages(await db["procedures"].find({"_id": "1.001193"}).explain())
    assert ("IXSCAN" in stages or "IDHACK" in stages) and "COLLSCAN" not in stages, stages
    stages = plan_stages(
        await db["procedures"].find({"_id": {"$in": ["1.001193", "1.000894"]}}).explain()
    )
    assert "COLLSCAN" not in stages, stages
    # The check can fail: an unhinted filter on a field without an index is a collection scan.
    stages = plan_stages(await db["procedures"].find({"onlineUrl": None}).explain())
    assert "COLLSCAN" in stages
