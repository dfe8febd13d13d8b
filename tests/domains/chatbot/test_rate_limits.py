"""The chat's rate-limit windows (domains/chatbot/repository.py)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from domains.chatbot.repository import RateLimitRepository


async def test_a_window_answered_with_no_document_still_counts(
    db: AsyncDatabase[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # SecantusDB can answer an upsert racing on a new window with no document while counting
    # the message: the count is read instead of failing the message.
    repository = RateLimitRepository(db)
    upsert = repository.collection.find_one_and_update

    async def answers_nothing(*args: Any, **kwargs: Any) -> None:
        await upsert(*args, **kwargs)

    monkeypatch.setattr(repository.collection, "find_one_and_update", answers_nothing)
    expires = datetime.now(UTC) + timedelta(minutes=2)
    counts = [
        await repository.count_message(key="racing-key", window=1, expires_at=expires)
        for _ in range(3)
    ]
    assert counts == [1, 2, 3]
