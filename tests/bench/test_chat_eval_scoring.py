"""How bench/chat_eval.py scores a reply: the rules a reader of its figures relies on."""

from typing import Any

import pytest

from bench.chat_eval import Record, load_records, score


@pytest.fixture(scope="module")
def records() -> dict[str, Record]:
    return load_records()


def question(record: str, aspect: str) -> dict[str, Any]:
    expected = {"domain": "tourism", "record": record, "aspect": aspect}
    return {
        "id": "x1",
        "text": "sắp có sự kiện gì ở đền Lê Hoàn",
        "lang": "vi",
        "expected": expected,
    }


def reply(text: str) -> dict[str, Any]:
    return {"messages": [{"text": text, "buttons": []}], "degraded": False}


def test_an_attractions_coming_events_answered_by_the_event_held_there_is_right(
    records: dict[str, Record],
) -> None:
    held_there = reply("Sự kiện sắp tới:\n- Lễ hội đền thờ Lê Hoàn: từ 13/04/2027 đến 15/04/2027")
    assert score(question("le-hoan-temple", "upcoming_events"), held_there, records, 1).outcome == (
        "right"
    )


def test_an_event_held_elsewhere_is_still_a_confident_wrong_answer(
    records: dict[str, Record],
) -> None:
    elsewhere = reply("Sự kiện sắp tới:\n- Lễ hội Pôồn Pôông: từ 15/02/2027 đến 17/02/2027")
    scored = score(question("le-hoan-temple", "upcoming_events"), elsewhere, records, 1)
    assert scored.outcome == "confident_wrong"


def test_the_event_without_its_dates_is_not_the_answer(records: dict[str, Record]) -> None:
    undated = reply("Lễ hội đền thờ Lê Hoàn: rước kiệu, tế lễ.")
    scored = score(question("le-hoan-temple", "upcoming_events"), undated, records, 1)
    assert scored.outcome != "right"
