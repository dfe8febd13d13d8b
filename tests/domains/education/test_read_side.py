"""The directory at province scale, as a parent notices it: search as people type, near me from
the in-memory read side, what an administrator writes found at once, clear errors."""

import json
from typing import Any

import pytest

from domains.education import types as education_types
from domains.education.models import LEVELS
from domains.education.province import (
    GENERATED_AT,
    TOTAL,
    synthetic_rounds,
    synthetic_schools,
)
from domains.education.repository import AdmissionRoundRepository, SchoolRepository
from domains.education.seed import DATA, commune_document
from domains.kernel.auth import Role
from domains.kernel.geo import distance_km
from tests.conftest import GraphQLClient
from tests.domains.education.test_admin_and_announcements import (
    CREATE_ROUND,
    CREATE_SCHOOL,
    round_input,
    school_input,
)
from tests.domains.education.test_directory_and_rounds import SCHOOLS, schools
from tests.support.ranking import assert_ranked, assert_unranked

pytestmark = pytest.mark.usefixtures("demo")

SCHOOL_ROUNDS = """
query($level: SchoolLevel, $first: Int) {
  schools(level: $level, first: $first) {
    nodes { id admissionRounds(schoolYear: "2027-2028") { id grade schools { id } } }
  }
}"""


@pytest.mark.parametrize(
    ("text", "school"),
    [
        ("thpt dao duy tu", "thpt-dao-duy-tu"),
        ("THPT Đào Duy Từ", "thpt-dao-duy-tu"),
        ("trường trung học phổ thông đào duy từ", "thpt-dao-duy-tu"),
        ("truong tieu hoc sam son", "th-bac-son-sam-son"),
        ("Trường Tiểu học Sầm Sơn", "th-bac-son-sam-son"),
        ("cap 3 lam kinh", "thpt-lam-kinh"),
        ("tran mai ninh", "thcs-tran-mai-ninh"),
        ("cao dang y te", "cd-y-te-thanh-hoa"),
        ("mam non but son", "mn-but-son"),
    ],
)
async def test_search_finds_the_school_people_mean(
    gql: GraphQLClient, text: str, school: str
) -> None:
    found = await schools(gql, search=text, first=3)
    assert found["nodes"][0]["id"] == school, (text, found["nodes"])


async def test_search_keeps_the_filters_and_pages_on(gql: GraphQLClient) -> None:
    first = await schools(gql, search="truong thpt", level="UPPER_SECONDARY", first=5)
    assert all("UPPER_SECONDARY" in s["levels"] for s in first["nodes"])
    rest = await schools(
        gql, search="truong thpt", level="UPPER_SECONDARY", after=first["pageInfo"]["endCursor"]
    )
    ids = [s["id"] for s in first["nodes"] + rest["nodes"]]
    assert len(ids) == len(set(ids)) == first["totalCount"] == 13
    # A cursor of another list does not continue this one.
    other = await gql(SCHOOLS, {"search": "thcs", "after": first["pageInfo"]["endCursor"]})
    assert other["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


RANKED = """query($search: String, $near: NearInput, $first: Int, $after: String) {
  schools(search: $search, near: $near, first: $first, after: $after) {
    nodes { id searchScore searchMargin } pageInfo { endCursor } } }"""


async def test_search_rows_carry_their_score_and_margin_over_the_next(gql: GraphQLClient) -> None:
    first = (await gql(RANKED, {"search": "truong thpt", "first": 3}))["data"]["schools"]
    after = first["pageInfo"]["endCursor"]
    rest = await gql(RANKED, {"search": "truong thpt", "first": 1, "after": after})
    following = rest["data"]["schools"]["nodes"]
    assert_ranked(first["nodes"], following[0]["searchScore"] if following else None)
    near = {"lat": 19.805, "lng": 105.775, "radiusKm": 2}
    assert_unranked((await gql(RANKED, {"near": near, "first": 3}))["data"]["schools"]["nodes"])
    no_search = await gql(RANKED, {"first": 3})
    assert_unranked(no_search["data"]["schools"]["nodes"])


async def test_query_syntax_is_text_and_long_input_is_refused(gql: GraphQLClient) -> None:
    for text in ('"lam son', "thpt: (lam) -son*", "AND OR ~"):
        body = await gql(SCHOOLS, {"search": text})
        assert "errors" not in body, (text, body)
    body = await gql(SCHOOLS, {"search": "trường " * 40})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "search" in error["message"]


async def test_near_me_is_nearest_first_within_the_radius_with_filters(
    gql: GraphQLClient,
) -> None:
    here = {"lat": 19.805, "lng": 105.775, "radiusKm": 2}
    every = (await schools(gql, first=100))["nodes"]
    expected = sorted(
        (distance_km(here["lat"], here["lng"], s["lat"], s["lng"]), s["id"])
        for s in every
        if "PRIMARY" in s["levels"]
        and distance_km(here["lat"], here["lng"], s["lat"], s["lng"]) <= 2
    )
    seen: list[str] = []
    after = None
    while True:
        page = await schools(gql, near=here, level="PRIMARY", first=1, after=after)
        seen += [s["id"] for s in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [school_id for _, school_id in expected]
    assert page["totalCount"] == len(expected) >= 2
    searched = await schools(gql, near=here, search="dien bien")
    assert [s["id"] for s in searched["nodes"]] == ["thcs-dien-bien", "th-dien-bien-1"]
    primary = await schools(gql, near=here, search="dien bien", level="PRIMARY")
    assert [s["id"] for s in primary["nodes"]] == ["th-dien-bien-1"]


async def test_a_new_school_is_found_at_once(gql: GraphQLClient, dev_token: Any) -> None:
    admin = dev_token("admin-1", Role.ADMIN)
    name = {"vi": "Trường Tiểu học Quảng Hưng", "en": "Quảng Hưng Primary School"}
    created = await gql(
        CREATE_SCHOOL,
        {"input": school_input(name=name, lat=19.79, lng=105.81, communeCode="16522")},
        token=admin,
    )
    school_id = created["data"]["createSchool"]["id"]
    found = await schools(gql, search="tieu hoc quang hung")
    assert found["nodes"][0]["id"] == school_id
    near = await schools(gql, near={"lat": 19.79, "lng": 105.81, "radiusKm": 1})
    assert school_id in [s["id"] for s in near["nodes"]]
    listed = await schools(gql, commune="16522", level="PRIMARY")
    assert school_id in [s["id"] for s in listed["nodes"]]
    window = await gql(
        CREATE_ROUND,
        {"input": round_input(schoolIds=[school_id], opensOn="2027-06-20")},
        token=admin,
    )
    round_id = window["data"]["createAdmissionRound"]["id"]
    body = await gql(SCHOOL_ROUNDS, {"level": "PRIMARY", "first": 100})
    of_school = {s["id"]: s["admissionRounds"] for s in body["data"]["schools"]["nodes"]}
    assert [r["id"] for r in of_school[school_id]] == [round_id]


async def test_rounds_of_a_page_of_schools_and_schools_of_the_rounds(gql: GraphQLClient) -> None:
    body = await gql(SCHOOL_ROUNDS, {"level": "UPPER_SECONDARY", "first": 20})
    assert "errors" not in body, body
    nodes = body["data"]["schools"]["nodes"]
    of_school = {s["id"]: s["admissionRounds"] for s in nodes}
    assert [r["grade"] for r in of_school["thpt-dao-duy-tu"]] == ["GRADE_10"]
    shared = of_school["thpt-sam-son"][0]
    assert {s["id"] for s in shared["schools"]} == {"thpt-sam-son", "thpt-nguyen-thi-loi"}
    assert of_school["thpt-nguyen-thi-loi"][0]["id"] == shared["id"]


async def test_a_page_of_schools_asks_once_for_rounds_and_once_for_their_schools(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AdmissionRound.schools and School.admissionRounds go through loaders: one call for a
    whole page, never one per school (the issue found one query per school)."""
    calls: dict[str, list[int]] = {"rounds": [], "schools": []}
    rounds_of, schools_of = education_types.rounds_of_schools, education_types.load_schools

    def counted_rounds(**options: Any) -> Any:
        calls["rounds"].append(len(options["school_ids"]))
        return rounds_of(**options)

    async def counted_schools(**options: Any) -> Any:
        calls["schools"].append(len(options["ids"]))
        return await schools_of(**options)

    monkeypatch.setattr(education_types, "rounds_of_schools", counted_rounds)
    monkeypatch.setattr(education_types, "load_schools", counted_schools)
    body = await gql(SCHOOL_ROUNDS, {"level": "UPPER_SECONDARY", "first": 20})
    assert "errors" not in body, body
    page = len(body["data"]["schools"]["nodes"])
    assert page > 5
    assert calls["rounds"] == [page]
    assert len(calls["schools"]) == 1


def _communes() -> list[Any]:
    raw = json.loads((DATA / "communes.json").read_text(encoding="utf-8"))
    return [commune_document(c, raw["districts"]) for c in raw["communes"]]


def test_the_province_generator_covers_every_level_over_real_communes() -> None:
    communes = _communes()
    codes = {c["_id"] for c in communes}
    generated = synthetic_schools(communes, now=GENERATED_AT)
    assert len(generated) == TOTAL == 2100
    assert len({s["_id"] for s in generated}) == TOTAL
    assert {level for s in generated for level in s["levels"]} == set(LEVELS)
    assert {s["ownership"] for s in generated} == {"public", "private"}
    assert all(s["communeCode"] in codes and s["synthetic"] for s in generated)
    assert all(s["name"]["vi"].endswith(")") and "(mẫu " in s["name"]["vi"] for s in generated)
    assert all(set(s["catchment"]["communeCodes"]) <= codes for s in generated)
    for school in generated:  # within 5 km of its commune's centre
        centre = next(c for c in communes if c["_id"] == school["communeCode"])["centre"]
        lng, lat = school["location"]["coordinates"]
        assert distance_km(lat, lng, centre["coordinates"][1], centre["coordinates"][0]) <= 5.01
    again = synthetic_schools(communes, now=GENERATED_AT)
    assert again == generated


async def test_the_province_generator_writes_nothing_the_second_time(db: Any) -> None:
    communes = _communes()
    generated = synthetic_schools(communes, now=None)[:40]  # type: ignore[arg-type]
    rounds = synthetic_rounds(generated, now=GENERATED_AT)
    assert rounds and all(r["synthetic"] and r["seedKey"].startswith("mau-") for r in rounds)
    school_repo, round_repo = SchoolRepository(db), AdmissionRoundRepository(db)
    assert await school_repo.write_generated(generated, await school_repo.synthetic()) == 40
    assert await round_repo.write_generated(rounds, await round_repo.synthetic()) == len(rounds)
    assert await school_repo.write_generated(generated, await school_repo.synthetic()) == 0
    assert await round_repo.write_generated(rounds, await round_repo.synthetic()) == 0
    await db.schools.delete_many({"synthetic": True})
    await db.admission_rounds.delete_many({"synthetic": True})
