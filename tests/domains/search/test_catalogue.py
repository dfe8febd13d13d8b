"""The generic catalogue read side on a tiny catalogue of its own: build, search, near, feed,
writes visible at once, records leaving the catalogue, readiness while building, module wiring."""

import asyncio
import ctypes.util
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from domains.kernel.geo import distance_km
from domains.kernel.resources import Resources
from domains.search import (
    Catalogue,
    CatalogueIndex,
    Catalogues,
    IndexSpec,
    TextField,
    catalogue_key,
)
from domains.search.memory import release_free_memory, shared_values

COLLECTION = "catalogue_test_places"
CENTRE = (19.8075, 105.7764)  # Thanh Hoá city


def index_document(stored: Mapping[str, Any]) -> dict[str, Any] | None:
    if stored.get("hidden"):
        return None  # leaves the catalogue
    return {"name": stored["name"], "kind": stored["kind"]}


def rendered(stored: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": stored["name"], "kind": stored["kind"]}


def location(stored: Mapping[str, Any]) -> tuple[float, float] | None:
    place = stored.get("location")
    return None if place is None else (place["coordinates"][1], place["coordinates"][0])


PLACES = Catalogue(
    name="places",
    collection=COLLECTION,
    index=IndexSpec(
        text_fields=(TextField("name", boost=2.0, exact=True),), filter_fields=("kind",)
    ),
    index_document=index_document,
    synonyms={"ho": ["hồ nước"]},
    rendered=rendered,
    location=location,
)


def place(
    record_id: str, name: str, lat: float | None, lng: float | None, kind: str = "park"
) -> dict[str, Any]:
    stored: dict[str, Any] = {"_id": record_id, "name": name, "kind": kind}
    if lat is not None and lng is not None:
        stored["location"] = {"type": "Point", "coordinates": [lng, lat]}
    return stored


SEED = [
    place("centre", "Công viên Hội An trung tâm", *CENTRE),
    place("near", "Hồ Thành trung tâm", CENTRE[0] + 0.01, CENTRE[1]),  # about 1.1 km north
    place("far", "Biển Sầm Sơn", 19.7339, 105.9033, kind="beach"),  # about 15.6 km
    place("nowhere", "Thư viện tỉnh", None, None, kind="library"),  # no location
    place("hidden", "Công viên ẩn", *CENTRE, kind="park") | {"hidden": True},
]


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait on ``condition`` (polled; fails after about 10 s)."""
    for _ in range(500):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"still not: {what}")


@pytest.fixture(scope="module")
async def places(db: AsyncDatabase[dict[str, Any]]) -> AsyncIterator[CatalogueIndex]:
    await db[COLLECTION].insert_many([dict(stored) for stored in SEED])
    index = CatalogueIndex(PLACES, db, max_await_ms=100)
    await index.start()
    await index.wait_built()
    yield index
    await index.stop()


async def names(index: CatalogueIndex, text: str, **filters: str) -> list[str]:
    result = await index.search(text, limit=10, filters=filters or None)
    return [hit.id for hit in result.hits]


async def test_built_from_the_collection(places: CatalogueIndex) -> None:
    assert places.built and places.builds >= 1
    assert places.ids() >= {"centre", "near", "far", "nowhere"}
    assert "hidden" not in places.ids()  # index_document gave None
    assert places.rendered("far") == {"name": "Biển Sầm Sơn", "kind": "beach"}
    assert places.rendered("hidden") is None and places.rendered("missing") is None


async def test_search_ranks_filters_and_uses_synonyms(places: CatalogueIndex) -> None:
    assert (await names(places, "sam son"))[0] == "far"
    assert (await names(places, "thư viện"))[0] == "nowhere"
    assert set(await names(places, "trung tam", kind="park")) == {"centre", "near"}
    assert await names(places, "trung tam", kind="beach") == []
    assert (await names(places, "ho nuoc"))[:1] == ["near"]  # "ho" → "hồ nước" and "hồ"
    found = await names(places, "cong vien an")
    assert found[0] == "centre" and "hidden" not in found  # the hidden park is not found


async def test_near_is_nearest_first_within_the_radius(places: CatalogueIndex) -> None:
    found = await places.near(*CENTRE, 50, limit=10)
    assert [record_id for record_id, _ in found] == ["centre", "near", "far"]
    distances = [distance for _, distance in found]
    assert distances == sorted(distances) and distances[0] == pytest.approx(0, abs=1e-6)
    assert distances[2] == pytest.approx(distance_km(*CENTRE, 19.7339, 105.9033), rel=1e-6)
    assert [i for i, _ in await places.near(*CENTRE, 5, limit=10)] == ["centre", "near"]
    assert [i for i, _ in await places.near(*CENTRE, 50, limit=1, offset=1)] == ["near"]
    beaches = await places.near(*CENTRE, 50, limit=10, filter=lambda i: i == "far")
    assert [i for i, _ in beaches] == ["far"]
    assert await places.near(10.77, 106.70, 50, limit=10) == []  # Hồ Chí Minh City


async def everywhere(index: CatalogueIndex, record_id: str, text: str) -> tuple[bool, ...]:
    """Whether ``record_id`` is found by ``text``, near the centre, and rendered."""
    return (
        record_id in await names(index, text),
        record_id in [i for i, _ in await index.near(*CENTRE, 100, limit=100)],
        index.rendered(record_id) is not None,
    )


async def test_another_writer_reaches_the_catalogue_through_the_feed(
    places: CatalogueIndex, db: AsyncDatabase[dict[str, Any]]
) -> None:
    collection = db[COLLECTION]
    await collection.insert_one(place("lake", "Hồ Đồng Chiềng", CENTRE[0], CENTRE[1] + 0.005))

    async def inserted() -> bool:
        return await everywhere(places, "lake", "dong chieng") == (True, True, True)

    await until(inserted, "the inserted place is found")
    assert (await names(places, "dong chieng"))[0] == "lake"
    assert [i for i, _ in await places.near(*CENTRE, 5, limit=3)] == ["centre", "lake", "near"]
    # Moved away and renamed: both the point and the text follow.
    await collection.update_one(
        {"_id": "lake"},
        {"$set": {"name": "Hồ Yên Mỹ", "location.coordinates": [105.60, 19.55]}},
    )

    async def moved() -> bool:
        near = [i for i, _ in await places.near(*CENTRE, 5, limit=10)]
        return (await names(places, "yen my"))[:1] == ["lake"] and "lake" not in near

    await until(moved, "renamed and moved")
    assert places.rendered("lake") == {"name": "Hồ Yên Mỹ", "kind": "park"}
    assert "lake" not in await names(places, "dong chieng")
    # Hidden: out of the catalogue (search, near, rendered) while still stored.
    await collection.update_one({"_id": "lake"}, {"$set": {"hidden": True}})

    async def hidden() -> bool:
        return await everywhere(places, "lake", "yen my") == (False, False, False)

    await until(hidden, "the hidden place left the catalogue")
    assert "lake" not in places.ids()


async def test_a_delete_leaves_search_near_and_rendered(
    places: CatalogueIndex, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await db[COLLECTION].insert_one(place("gone", "Chợ Vườn Hoa", CENTRE[0], CENTRE[1] - 0.002))

    async def state() -> tuple[bool, ...]:
        return await everywhere(places, "gone", "cho vuon hoa")

    async def inserted() -> bool:
        return await state() == (True, True, True)

    async def deleted() -> bool:
        return await state() == (False, False, False)

    await until(inserted, "inserted")
    await db[COLLECTION].delete_one({"_id": "gone"})
    await until(deleted, "deleted")
    assert "gone" not in places.ids()


async def test_written_is_visible_at_once(
    places: CatalogueIndex, db: AsyncDatabase[dict[str, Any]]
) -> None:
    stored = place("market", "Chợ Tây Thành", CENTRE[0] - 0.001, CENTRE[1])
    await db[COLLECTION].insert_one(dict(stored))
    await places.written([stored])  # no wait for the feed
    assert (await names(places, "cho tay thanh"))[0] == "market"
    assert [i for i, _ in await places.near(*CENTRE, 0.5, limit=10)] == ["centre", "market"]
    await db[COLLECTION].delete_one({"_id": "market"})
    await places.written_ids(["market"])  # read back: gone, so it leaves at once
    assert "market" not in places and "market" not in await names(places, "cho tay thanh")


async def test_shared_renders_follow_writes_and_stay_bounded(
    places: CatalogueIndex, db: AsyncDatabase[dict[str, Any]]
) -> None:
    """With ``shared_renders``, a record read twice gives the same dict (no unpickling), a
    write gives its new fields at once, and only the most recently read stay unpickled."""
    collection = f"{COLLECTION}_shared"
    await db[collection].insert_many([place(f"p{n}", f"Công viên {n}", *CENTRE) for n in range(4)])
    spec = dataclasses.replace(PLACES, name="shared", collection=collection, shared_renders=2)
    index = CatalogueIndex(spec, db, max_await_ms=100)
    await index.start()
    try:
        await index.wait_built()
        first = index.rendered("p0")
        assert first == {"name": "Công viên 0", "kind": "park"} and index.rendered("p0") is first
        changed = place("p0", "Hồ Đồng Chiêm", *CENTRE)
        await db[collection].replace_one({"_id": "p0"}, changed)
        await index.written([changed])
        second = index.rendered("p0")
        assert second == {"name": "Hồ Đồng Chiêm", "kind": "park"} and second is not first
        for n in (1, 2, 3):  # two are kept: p0, read least recently, is unpickled again
            index.rendered(f"p{n}")
        assert index.rendered("p0") == second and index.rendered("p0") is not second
    finally:
        await index.stop()
    # Without it (the default), every call gives a fresh copy.
    assert places.rendered("far") is not places.rendered("far")


async def test_readyz_answers_503_while_a_catalogue_builds(
    http: httpx.AsyncClient, db: AsyncDatabase[dict[str, Any]], resources: Resources
) -> None:
    await resources.readiness.settle(30)
    assert (await http.get("/readyz")).status_code == 200
    hold = asyncio.Event()
    held = CatalogueIndex(PLACES, db, readiness=resources.readiness, hold=hold)
    await held.start()
    try:
        response = await http.get("/readyz")
        assert response.status_code == 503
        assert response.json()["search.places"] == "building"
        assert not held.built
        hold.set()
        await held.wait_built()
        assert held.ids() >= {"centre", "near", "far", "nowhere"}
        response = await http.get("/readyz")
        assert response.status_code == 200 and response.json()["status"] == "ready"
    finally:
        await held.stop()


async def test_catalogues_wire_and_start_from_a_module(db: AsyncDatabase[dict[str, Any]]) -> None:
    resources = Resources(db=db)
    catalogues = Catalogues(PLACES)
    catalogues.wire(resources)
    index = resources.get(catalogue_key(PLACES))
    catalogues.wire(resources)  # idempotent: the same component
    assert resources.get(catalogue_key(PLACES)) is index
    await catalogues.start(resources)
    assert resources.readiness.waiting_for in ({"search.places": "building"}, {})
    assert await resources.readiness.settle(30)
    assert (await names(index, "sam son"))[0] == "far"
    await resources.close()  # stops the feed it started
    assert not index.following


def test_free_memory_goes_back_to_the_system_after_a_build() -> None:
    """glibc (the API's image, Debian) has malloc_trim; elsewhere the call does nothing."""
    assert release_free_memory() is (ctypes.util.find_library("c") is not None)


def test_shared_values_keep_one_copy_of_each_string() -> None:
    table: dict[str, str] = {}
    first = shared_values({"name": {"vi": "".join(["Hồ", " sơ"])}, "n": 2, "tags": ["a"]}, table)
    second = shared_values({"name": {"vi": "".join(["Hồ", " sơ"])}, "n": 3, "tags": None}, table)
    assert first == {"name": {"vi": "Hồ sơ"}, "n": 2, "tags": ["a"]}
    assert second == {"name": {"vi": "Hồ sơ"}, "n": 3, "tags": None}
    assert first["name"]["vi"] is second["name"]["vi"]
    assert next(iter(first)) is next(iter(second))  # the keys too
