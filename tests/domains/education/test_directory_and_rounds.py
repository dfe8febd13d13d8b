"""The school directory and admission rounds, as a parent browses them."""

from typing import Any

import pytest

from domains.kernel.geo import distance_km
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.usefixtures("demo")

SCHOOLS = """
query($level: SchoolLevel, $district: String, $ownership: SchoolOwnership, $near: NearInput,
      $search: String, $first: Int, $after: String, $commune: String) {
  schools(level: $level, district: $district, ownership: $ownership, near: $near,
          search: $search, first: $first, after: $after, commune: $commune) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name levels ownership district lat lng commune { code name } }
  }
}"""
ROUNDS = """
query($year: String, $grade: AdmissionGrade, $district: String, $status: AdmissionRoundStatus,
      $first: Int, $after: String, $lang: Language) {
  admissionRounds(schoolYear: $year, grade: $grade, district: $district, status: $status,
                  first: $first, after: $after, lang: $lang) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id name grade schoolYear opensOn closesOn opensAt closesAt timeZone quota method
      entranceExam examOn resultsOn status procedureCode
      procedure { code name }
      requiredDocuments { name copies note source }
      schools { id name }
    }
  }
}"""


async def schools(gql: GraphQLClient, **variables: Any) -> dict[str, Any]:
    body = await gql(SCHOOLS, variables)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["schools"]
    return result


async def test_filters_by_level_ownership_and_district(gql: GraphQLClient) -> None:
    upper = await schools(gql, level="UPPER_SECONDARY", first=100)
    assert upper["totalCount"] == 13
    assert all("UPPER_SECONDARY" in s["levels"] for s in upper["nodes"])
    private = await schools(gql, ownership="PRIVATE")
    assert [s["id"] for s in private["nodes"]] == ["fpt-thanh-hoa"]
    rural = await schools(gql, district="tho-xuan", level="UPPER_SECONDARY")
    assert {s["id"] for s in rural["nodes"]} == {"thpt-le-loi-tho-xuan", "thpt-lam-kinh"}
    in_ward = await schools(gql, commune="14758")
    assert {s["commune"]["name"] for s in in_ward["nodes"]} == {"Phường Hàm Rồng"}


async def test_pages_never_repeat_or_skip(gql: GraphQLClient) -> None:
    seen: list[str] = []
    after = None
    while True:
        page = await schools(gql, first=7, after=after)
        seen += [s["id"] for s in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"] == 30


async def test_search_is_accent_insensitive_and_ranked(gql: GraphQLClient) -> None:
    for text in ("chuyen lam son", "Chuyên Lam Sơn", "CHUYEN LAM SƠN"):
        found = await schools(gql, search=text, first=5)
        assert found["nodes"][0]["id"] == "thpt-chuyen-lam-son", text
    empty = await gql(SCHOOLS, {"search": "  ;; "})
    assert empty["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_near_lists_nearest_first_within_the_radius(gql: GraphQLClient) -> None:
    here = {"lat": 19.748, "lng": 105.9, "radiusKm": 5}
    found = await schools(gql, near=here, first=3)
    distances = [distance_km(here["lat"], here["lng"], s["lat"], s["lng"]) for s in found["nodes"]]
    assert distances == sorted(distances)
    assert all(d <= 5 for d in distances)
    assert found["nodes"][0]["id"] == "thpt-sam-son"
    rest = await schools(gql, near=here, first=3, after=found["pageInfo"]["endCursor"])
    assert not {s["id"] for s in rest["nodes"]} & {s["id"] for s in found["nodes"]}
    assert found["totalCount"] == len(found["nodes"]) + len(rest["nodes"])
    too_far = await gql(SCHOOLS, {"near": {"lat": 19.7, "lng": 105.9, "radiusKm": 0}})
    assert too_far["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_page_size_is_capped(gql: GraphQLClient) -> None:
    body = await gql(SCHOOLS, {"first": 500})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_grade_10_round_lists_window_exam_and_documents(gql: GraphQLClient) -> None:
    body = await gql(ROUNDS, {"year": "2027-2028", "grade": "GRADE_10", "district": "tho-xuan"})
    rounds = body["data"]["admissionRounds"]["nodes"]
    assert {r["schools"][0]["id"] for r in rounds} == {"thpt-le-loi-tho-xuan", "thpt-lam-kinh"}
    first = rounds[0]
    assert first["opensOn"] == "2027-04-20" and first["closesOn"] == "2027-05-10"
    # Province time: the window runs from 00:00 on the first day to the end of the last day.
    assert first["opensAt"] == "2027-04-20T00:00:00+07:00"
    assert first["closesAt"] == "2027-05-11T00:00:00+07:00"
    assert first["timeZone"] == "Asia/Ho_Chi_Minh"
    assert first["status"] == "UPCOMING"
    assert first["entranceExam"] is True and first["examOn"] == "2027-06-03"
    assert first["procedure"] == {
        "code": "3.000181",
        "name": "Tuyển sinh trung học phổ thông (vào lớp 10)",
    }
    names = [d["name"] for d in first["requiredDocuments"]]
    assert "Bản sao giấy khai sinh hợp lệ" in names
    # The national record lists no documents (they come with each year's plan): the school's
    # admission plan supplies them, and says so.
    assert {d["source"] for d in first["requiredDocuments"]} == {"ADMISSION_PLAN"}


async def test_rounds_in_window_order_with_a_multi_school_round(gql: GraphQLClient) -> None:
    body = await gql(ROUNDS, {"grade": "GRADE_10", "first": 100})
    rounds = body["data"]["admissionRounds"]["nodes"]
    opens = [r["opensAt"] for r in rounds]
    assert opens == sorted(opens)
    assert rounds[0]["schools"][0]["id"] == "fpt-thanh-hoa"  # opens 1 March
    joint = next(r for r in rounds if len(r["schools"]) == 2)
    assert {s["id"] for s in joint["schools"]} == {"thpt-sam-son", "thpt-nguyen-thi-loi"}


async def test_grade_1_round_says_no_procedure_is_linked(gql: GraphQLClient) -> None:
    body = await gql(ROUNDS, {"grade": "GRADE_1", "district": "hoang-hoa", "lang": "EN"})
    (round_,) = body["data"]["admissionRounds"]["nodes"]
    assert round_["procedureCode"] is None and round_["procedure"] is None
    assert round_["requiredDocuments"][1] == {
        "name": "Valid copy of the birth certificate",
        "copies": 1,
        "note": "The child's personal identification number replaces residence papers",
        "source": "ADMISSION_PLAN",
    }


async def test_status_filter_uses_the_current_time(gql: GraphQLClient) -> None:
    # The demo rounds are for 2027: today (2026) they are all upcoming.
    total = await gql(ROUNDS, {"year": "2027-2028"})
    upcoming = await gql(ROUNDS, {"year": "2027-2028", "status": "UPCOMING"})
    closed = await gql(ROUNDS, {"year": "2027-2028", "status": "CLOSED"})
    assert (
        upcoming["data"]["admissionRounds"]["totalCount"]
        == total["data"]["admissionRounds"]["totalCount"]
        == 27
    )
    assert closed["data"]["admissionRounds"]["totalCount"] == 0
    bad = await gql(ROUNDS, {"year": "2027"})
    assert "2027-2028" in bad["errors"][0]["message"]


async def test_school_detail_shows_its_rounds(gql: GraphQLClient) -> None:
    body = await gql(
        """{ school(id: "thpt-chuyen-lam-son", lang: EN) {
              name catchment { provinceWide communeCodes }
              admissionRounds { name quota method }
           } }"""
    )
    school = body["data"]["school"]
    assert school["name"] == "Lam Sơn High School for the Gifted"
    assert school["catchment"] == {"provinceWide": True, "communeCodes": []}
    assert school["admissionRounds"] == [
        {
            "name": "Grade 10 admission, Lam Sơn gifted school, 2027–2028",
            "quota": 525,
            "method": "ONLINE",
        }
    ]
    missing = await gql('{ school(id: "no-such-school") { name } }')
    assert missing["data"]["school"] is None


async def test_seeding_twice_changes_nothing(gql: GraphQLClient, db: Any) -> None:
    from domains.education.seed import seed_demo

    before = await db["notifications"].count_documents({})
    await seed_demo(db=db, progress=lambda done, total: None)
    assert await db["schools"].count_documents({}) == 30
    assert await db["admission_rounds"].count_documents({}) == 27
    assert await db["notifications"].count_documents({}) == before
