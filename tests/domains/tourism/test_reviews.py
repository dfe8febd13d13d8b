"""Reviews: one per user, own-only edits, moderation, and totals that never drift."""

import asyncio
from typing import Any

import pytest
from bson import ObjectId

from tests.conftest import GraphQLClient
from tests.domains.tourism.conftest import attraction_id

pytestmark = pytest.mark.usefixtures("seeded")

ADD = """mutation($a: ID!, $r: Int!, $t: String) {
  addReview(attractionId: $a, rating: $r, text: $t) {
  __typename
  ... on AttractionReview { id rating text mine hidden }
  ... on AlreadyReviewedError { reviewId code message }
  ... on ValidationFailed { field message }
  ... on NotFoundError { message }
} }"""
UPDATE = """mutation($id: ID!, $r: Int!, $t: String) { updateReview(id: $id, rating: $r, text: $t) {
  __typename ... on AttractionReview { rating text } ... on ValidationFailed { field } } }"""
DELETE = """mutation($id: ID!) { deleteReview(id: $id) {
  __typename ... on DeletedAttractionReview { id } ... on NotFoundError { message } } }"""
HIDE = """mutation($id: ID!, $hidden: Boolean!, $reason: String) {
  hideReview(id: $id, hidden: $hidden, reason: $reason) {
  __typename ... on AttractionReview { hidden hiddenReason } } }"""
RATING = "query($id: ID!) { attraction(id: $id) { rating { average count } } }"
REVIEWS = """query($id: ID!, $all: Boolean) { reviews(attractionId: $id, includeHidden: $all) {
  nodes { id rating hidden mine } totalCount } }"""


async def rating(gql: GraphQLClient, attraction: str) -> dict[str, Any]:
    body = await gql(RATING, {"id": attraction})
    result: dict[str, Any] = body["data"]["attraction"]["rating"]
    return result


async def test_review_lifecycle_moves_the_average(
    gql: GraphQLClient, seeded: Any, dev_token: Any
) -> None:
    cave = await attraction_id(seeded, "tu-thuc-cave")
    alice, bob = dev_token("alice"), dev_token("bob")
    assert await rating(gql, cave) == {"average": None, "count": 0}
    first = (await gql(ADD, {"a": cave, "r": 5, "t": "  Đẹp lắm!  "}, token=alice))["data"]
    review = first["addReview"]
    assert review["__typename"] == "AttractionReview"
    assert review["text"] == "Đẹp lắm!" and review["mine"] is True
    await gql(ADD, {"a": cave, "r": 2}, token=bob)
    assert await rating(gql, cave) == {"average": 3.5, "count": 2}

    again = (await gql(ADD, {"a": cave, "r": 1}, token=alice))["data"]["addReview"]
    assert again["__typename"] == "AlreadyReviewedError"
    assert again["reviewId"] == review["id"]
    assert "updateReview" in again["message"]

    edited = await gql(UPDATE, {"id": review["id"], "r": 3, "t": "Tạm được"}, token=alice)
    assert edited["data"]["updateReview"] == {
        "__typename": "AttractionReview",
        "rating": 3,
        "text": "Tạm được",
    }
    assert await rating(gql, cave) == {"average": 2.5, "count": 2}

    # Others see the review but not who wrote it; the author sees it as theirs.
    listed = await gql(REVIEWS, {"id": cave}, token=bob)
    mine = {n["id"]: n["mine"] for n in listed["data"]["reviews"]["nodes"]}
    assert mine[review["id"]] is False and list(mine.values()).count(True) == 1

    deleted = await gql(DELETE, {"id": review["id"]}, token=alice)
    assert deleted["data"]["deleteReview"] == {
        "__typename": "DeletedAttractionReview",
        "id": review["id"],
    }
    assert await rating(gql, cave) == {"average": 2.0, "count": 1}


async def test_only_the_author_edits_or_deletes(
    gql: GraphQLClient, seeded: Any, dev_token: Any
) -> None:
    stream = await attraction_id(seeded, "hieu-waterfall")
    added = await gql(ADD, {"a": stream, "r": 4}, token=dev_token("carol"))
    review_id = added["data"]["addReview"]["id"]
    for mutation, variables in ((UPDATE, {"id": review_id, "r": 1}), (DELETE, {"id": review_id})):
        other = await gql(mutation, variables, token=dev_token("mallory"))
        assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        anonymous = await gql(mutation, variables)
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await rating(gql, stream) == {"average": 4.0, "count": 1}


@pytest.mark.parametrize("stars", [0, 6, -1])
async def test_ratings_outside_one_to_five_are_refused(
    gql: GraphQLClient, seeded: Any, dev_token: Any, stars: int
) -> None:
    lake = await attraction_id(seeded, "cua-dat-lake")
    body = await gql(ADD, {"a": lake, "r": stars}, token=dev_token("dave"))
    result = body["data"]["addReview"]
    assert result == {
        "__typename": "ValidationFailed",
        "field": "rating",
        "message": f"`rating` must be 1 to 5 stars; got {stars}.",
    }


async def test_reviewing_an_unknown_attraction_is_not_found(
    gql: GraphQLClient, dev_token: Any
) -> None:
    body = await gql(ADD, {"a": "64b000000000000000000000", "r": 4}, token=dev_token("erin"))
    assert body["data"]["addReview"]["__typename"] == "NotFoundError"


async def test_hidden_reviews_leave_lists_and_averages(
    gql: GraphQLClient, seeded: Any, dev_token: Any, admin_token: str
) -> None:
    island = await attraction_id(seeded, "me-island")
    good = await gql(ADD, {"a": island, "r": 5}, token=dev_token("frank"))
    spam = await gql(ADD, {"a": island, "r": 1, "t": "buy followers"}, token=dev_token("spammer"))
    spam_id = spam["data"]["addReview"]["id"]
    assert good["data"]["addReview"]["rating"] == 5
    assert await rating(gql, island) == {"average": 3.0, "count": 2}

    refused = await gql(HIDE, {"id": spam_id, "hidden": True}, token=dev_token("frank"))
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    hidden = await gql(HIDE, {"id": spam_id, "hidden": True, "reason": "spam"}, token=admin_token)
    assert hidden["data"]["hideReview"] == {
        "__typename": "AttractionReview",
        "hidden": True,
        "hiddenReason": "spam",
    }
    assert await rating(gql, island) == {"average": 5.0, "count": 1}
    public = await gql(REVIEWS, {"id": island})
    assert [n["rating"] for n in public["data"]["reviews"]["nodes"]] == [5]
    assert public["data"]["reviews"]["totalCount"] == 1
    # Only administrators may list hidden reviews.
    sneaky = await gql(REVIEWS, {"id": island, "all": True}, token=dev_token("frank"))
    assert sneaky["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    moderation = await gql(REVIEWS, {"id": island, "all": True}, token=admin_token)
    assert moderation["data"]["reviews"]["totalCount"] == 2

    # Hiding twice changes nothing; the author's edit of a hidden review stays out of the average.
    await gql(HIDE, {"id": spam_id, "hidden": True}, token=admin_token)
    await gql(UPDATE, {"id": spam_id, "r": 2}, token=dev_token("spammer"))
    assert await rating(gql, island) == {"average": 5.0, "count": 1}
    await gql(HIDE, {"id": spam_id, "hidden": False}, token=admin_token)
    assert await rating(gql, island) == {"average": 3.5, "count": 2}


async def test_concurrent_reviews_never_lose_a_count(
    gql: GraphQLClient, seeded: Any, dev_token: Any
) -> None:
    museum = await attraction_id(seeded, "con-moong-cave")
    stars = [(i % 5) + 1 for i in range(24)]
    results = await asyncio.gather(
        *(
            gql(ADD, {"a": museum, "r": r}, token=dev_token(f"crowd-{i}"))
            for i, r in enumerate(stars)
        )
    )
    ids = [body["data"]["addReview"]["id"] for body in results]
    assert len(set(ids)) == len(stars)
    assert await rating(gql, museum) == {
        "average": round(sum(stars) / len(stars), 2),
        "count": len(stars),
    }
    # Concurrent edits (every rating +/-) and deletions keep the totals exact too.
    new = [6 - r for r in stars]
    await asyncio.gather(
        *(
            gql(UPDATE, {"id": review_id, "r": r}, token=dev_token(f"crowd-{i}"))
            for i, (review_id, r) in enumerate(zip(ids, new, strict=True))
        ),
        *(gql(DELETE, {"id": ids[i]}, token=dev_token(f"crowd-{i}")) for i in range(20, 24)),
    )
    kept = new[:20]
    reviews = seeded["tourism_reviews"].find({"attractionId": ObjectId(museum)})
    stored = [review["rating"] async for review in reviews]
    assert sorted(stored) == sorted(kept)
    assert await rating(gql, museum) == {
        "average": round(sum(kept) / len(kept), 2),
        "count": len(kept),
    }


async def test_the_same_user_racing_gets_one_review(
    gql: GraphQLClient, seeded: Any, dev_token: Any
) -> None:
    village = await attraction_id(seeded, "tra-dong-bronze-village")
    token = dev_token("double-tapper")
    results = await asyncio.gather(
        *(gql(ADD, {"a": village, "r": 4}, token=token) for _ in range(4))
    )
    kinds = sorted(body["data"]["addReview"]["__typename"] for body in results)
    assert kinds == ["AlreadyReviewedError"] * 3 + ["AttractionReview"]
    assert await rating(gql, village) == {"average": 4.0, "count": 1}


async def test_attractions_show_their_latest_reviews(gql: GraphQLClient, seeded: Any) -> None:
    query = """query($id: ID!) { attraction(id: $id) { reviews(first: 1) { rating text }
      rating { count } } }"""
    citadel = await attraction_id(seeded, "ho-dynasty-citadel")
    body = await gql(query, {"id": citadel})
    node = body["data"]["attraction"]
    assert len(node["reviews"]) == 1 and node["rating"]["count"] >= 2
