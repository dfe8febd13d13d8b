"""Fixtures shared by the kernel's change-feed tests."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient


@pytest.fixture
async def admin(mongo_uri: str) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    """A client outside the failpoints' reach, to configure them."""
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    try:
        yield mongo
    finally:
        await mongo.admin.command({"configureFailPoint": "failCommand", "mode": "off"})
        await mongo.close()
