"""Keyset pagination: pages neither skip nor repeat rows while rows are inserted meanwhile."""

import base64
import random
from typing import Any

import pytest
from bson import json_util
from pymongo.asynchronous.database import AsyncDatabase

from domains.kernel.errors import InvalidInput
from domains.kernel.pagination import decode_cursor, encode_cursor, find_page


async def test_paging_while_inserting_neither_skips_nor_repeats(
    db: AsyncDatabase[dict[str, Any]],
) -> None:
    collection = db["pagination_probe"]
    rng = random.Random(7)
    # Many equal sort keys, so ties must be broken by _id.
    await collection.insert_many([{"score": rng.randint(0, 9), "n": n} for n in range(95)])
    original = {doc["_id"] async for doc in collection.find({})}
    seen: list[Any] = []
    after = None
    inserted = 95
    while True:
        page = await find_page(collection, query={}, sort=[("score", -1)], first=10, after=after)
        seen.extend(row["_id"] for row in page.items)
        # Someone inserts rows before, at and after the cursor position between two page loads.
        await collection.insert_many(
            [{"score": rng.randint(0, 9), "n": inserted + i} for i in range(3)]
        )
        inserted += 3
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert original <= set(seen), "a row that existed all along was skipped"
    scores = [doc["score"] async for doc in collection.find({"_id": {"$in": seen}})]
    assert len(scores) == len(seen)


async def test_total_count_counts_the_filter_not_the_page(
    db: AsyncDatabase[dict[str, Any]],
) -> None:
    collection = db["pagination_count"]
    await collection.insert_many([{"kind": "a" if n % 3 else "b", "n": n} for n in range(30)])
    page = await find_page(collection, query={"kind": "a"}, sort=[("n", 1)], first=5, after=None)
    assert [row["n"] for row in page.items] == [1, 2, 4, 5, 7]
    assert await page.count_total() == 20


def _raw_cursor(extended_json: str) -> str:
    import base64

    return base64.urlsafe_b64encode(extended_json.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "",
        "W10",
        encode_cursor([1, 2, 3]),
        # Crafted cursors carrying query operators or regexes instead of sort-key values.
        _raw_cursor('[{"$gt": ""}, "x"]'),
        _raw_cursor('[{"$regex": "^(a+)+$", "$options": ""}, "x"]'),
        _raw_cursor('[[1, 2], "x"]'),
        # Malformed extended JSON (found by fuzzing: these were internal errors).
        _raw_cursor('[{"$oid": "not-an-id"}, "x"]'),
        _raw_cursor('[{"$date": "yesterday"}, "x"]'),
        _raw_cursor('[{"$date": {"$numberLong": "x"}}, "x"]'),
        _raw_cursor('[{"$numberDecimal": "abc"}, "x"]'),
        _raw_cursor('[{"$binary": 1}, "x"]'),
    ],
)
async def test_foreign_cursors_are_input_errors(
    db: AsyncDatabase[dict[str, Any]], cursor: str
) -> None:
    with pytest.raises(InvalidInput, match="not a cursor"):
        await find_page(
            db["pagination_probe"], query={}, sort=[("score", -1)], first=5, after=cursor
        )


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_page_size_is_capped(db: AsyncDatabase[dict[str, Any]], first: int) -> None:
    with pytest.raises(InvalidInput, match="between 1 and 100"):
        await find_page(db["pagination_probe"], query={}, sort=[], first=first, after=None)


def test_cursors_of_strings_and_ints_are_bsons_canonical_json() -> None:
    # The fast path for strings and ints writes what json_util writes (cursors stay valid).
    for values in (
        ["rank", 1, 4_000_000_000],
        ['Đăng ký "x" \\ 🙂', 0, -1],
        ["\n\t\x00\x7f\u2028/", "\ud800", "", 7],
        [2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63 - 1],
        [],
    ):
        slow = json_util.dumps(values, json_options=json_util.CANONICAL_JSON_OPTIONS)
        expected = base64.urlsafe_b64encode(slow.encode()).decode().rstrip("=")
        assert encode_cursor(values) == expected
        assert decode_cursor(encode_cursor(values), length=len(values)) == values
