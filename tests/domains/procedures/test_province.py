"""The province-scale generator: the catalogue grown to 2,000 procedures, every variant marked
synthetic, idempotent; a real procedure still comes first for its own name."""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from domains.kernel.resources import Resources
from domains.procedures.province import CODE_PREFIX, seed_province
from domains.procedures.search_index import PROCEDURE_SEARCH
from tests.conftest import GraphQLClient

TOTAL = 150  # the generator's 2,000 are made the same way; fewer keep the test quick
SEARCH = """query($q: String!) { procedures(search: $q, first: 3) { nodes { code name } } }"""


async def test_the_province_catalogue_is_marked_synthetic_and_searchable(
    db: AsyncDatabase[dict[str, Any]], catalogue: int, resources: Resources, gql: GraphQLClient
) -> None:
    written = await seed_province(db=db, progress=lambda done, total: None, total=TOTAL)
    again = await seed_province(db=db, progress=lambda done, total: None, total=TOTAL)
    assert written == again == TOTAL - catalogue
    assert await db.procedures.count_documents({}) == TOTAL  # the second run added none
    synthetic = await db.procedures.find({"_id": {"$regex": f"^{CODE_PREFIX}"}}).to_list()
    assert len(synthetic) == written
    assert all("mô phỏng" in row["name"]["vi"] for row in synthetic)
    assert all("ynthetic" in row["notes"]["en"] for row in synthetic)

    await resources.get(PROCEDURE_SEARCH).refresh()
    body = await gql(SEARCH, {"q": "Đăng ký khai sinh"})
    assert body["data"]["procedures"]["nodes"][0]["code"] == "1.001193"
