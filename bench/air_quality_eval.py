"""Score the assistant's air-quality answers on the frozen bench/eval/air_quality_questions.jsonl.

    .venv/bin/python -m bench.air_quality_eval --split dev [--split test] [--out var/air_eval]

The same harness as bench/chat_eval.py (the whole stack with the demo data, questions through
`sendChatMessage`, a follow-up in its parent's session, no `lang` sent by default), scored for
the environment domain. The demo seeds readings up to the hour the stack starts, so the stations
are CURRENT during a run.

How a reply is read (its text, as the user sees it):
- **records stated**: areas by their name as the API gives it ("Phường Sầm Sơn", "Sầm Sơn ward")
  and stations by theirs ("Trạm không khí tự động Sầm Sơn"), from domains/environment/data;
  accents and case ignored, a name inside a longer stated name counts once, as the longer one.
- **a reading stated**: "AQI <number>".
- **aspects** (`ASPECT_MARKERS`, the wording of bots/actions/air_answers.py): `current` a reading
  with its time (or a stale one said to be old); `advice` the band's advice; `pollutant` the main
  pollutant; `report` how to report pollution; `alerts` how to follow alerts; `no_data` "no data".
- **honest refusal**: says it has no forecast / no data for that place / cannot answer
  (`REFUSAL_MARKERS`, with bench/chat_eval.py's fallback markers).

Outcomes, one per question:
- `right`: current/advice/pollutant: the expected area or station is among the first two records
  stated (an area's answer names its station after it) and the aspect is stated; no_data: the
  area is stated with "no data" and no reading; report/alerts: the aspect's wording (alerts
  naming an area: the area too); out of scope: an honest refusal and no reading.
- `confident_wrong`: without a choice offered, a reading (or "no data") for another place than
  the one asked, a reading for an out-of-scope or no-data question, "no data" for a place that
  has data, or the right place with another aspect than the one asked (a reading to "how do I
  report?").
- `listed`: three stations or more listed (the overview given when the question named no place
  the assistant recognised), for any question: a miss, but no claim about the place asked.
- `other`: anything else (no place recognised, the aspect missing...).

Limits: the markers must follow the actions' wording; an area named only by a nickname is not
recognised.
"""

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.chat_eval import FALLBACK_MARKERS, ask, fold, frozen_questions, looks_english, pct

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "bench" / "eval" / "air_quality_questions.jsonl"
FROZEN_SHA256 = "6ba963390b91de82670cd6052efc5494520f3f643fbb552c6cac7d1c92f92b24"
DATA = ROOT / "domains" / "environment" / "data"

ASPECT_MARKERS: dict[str, list[str]] = {
    "current": ["so lieu cu", "old data", "chua co so lieu moi", "no recent data"],
    "advice": ["loi khuyen", "advice"],
    "pollutant": ["chat o nhiem chinh", "main pollutant"],
    "report": ["phan anh o nhiem", "report pollution"],
    "alerts": ["nhan canh bao", "get air pollution alerts"],
    "no_data": ["chua co du lieu", "no air quality data"],
}
REFUSAL_MARKERS = [
    *FALLBACK_MARKERS,
    "khong co du bao",
    "no air quality or weather forecast",
    "chua co du lieu chat luong khong khi cho",
    "no air quality data for",
]
READING = re.compile(r"\baqi \d+\b")
# "10:00 06/12/2026" folds to "10 00 06 12 2026".
TIME = re.compile(r"\b\d{1,2} \d{2} \d{1,2} \d{1,2} \d{4}\b")


@dataclass(frozen=True)
class Place:
    key: str
    kind: str  # area | station
    names: tuple[str, ...]  # folded


def load_places() -> dict[str, Place]:
    places: dict[str, Place] = {}
    areas = json.loads((DATA / "areas.json").read_text(encoding="utf-8"))["areas"]
    for area in areas:
        names = tuple(fold(name) for name in area["name"].values())
        places[area["code"]] = Place(area["code"], "area", names)
    for station in json.loads((DATA / "stations.json").read_text(encoding="utf-8")):
        names = tuple(fold(name) for name in station["name"].values())
        places[station["_id"]] = Place(station["_id"], "station", names)
    return places


def places_stated(folded: str, places: dict[str, Place]) -> list[str]:
    """Keys of the places the text names, in order of first appearance."""
    spans: list[tuple[int, int, str]] = []
    for place in places.values():
        for name in place.names:
            for match in re.finditer(rf"(?<![0-9a-z]){re.escape(name)}(?![0-9a-z])", folded):
                spans.append((match.start(), match.end(), place.key))
    kept = [
        s
        for s in spans
        if not any(o[0] <= s[0] and s[1] <= o[1] and (o[1] - o[0]) > (s[1] - s[0]) for o in spans)
    ]
    ordered: list[str] = []
    for _, _, key in sorted(kept):
        if key not in ordered:
            ordered.append(key)
    return ordered


def has_aspect(aspect: str, folded: str) -> bool:
    if aspect == "current" and READING.search(folded) and TIME.search(folded):
        return True
    return any(marker in folded for marker in ASPECT_MARKERS.get(aspect, []))


@dataclass
class Scored:
    question: dict[str, Any]
    reply_text: str
    outcome: str
    stated: list[str]
    reason: str
    lang_ok: bool
    ms: float


def score(
    question: dict[str, Any], reply: dict[str, Any], places: dict[str, Place], ms: float
) -> Scored:
    expected = question["expected"]
    messages = reply.get("messages") or []
    text = "\n".join(m.get("text") or "" for m in messages)
    offered = any(m.get("buttons") for m in messages)
    folded = fold(text)
    stated = places_stated(folded, places)
    reading = bool(READING.search(folded))
    refusal = any(marker in folded for marker in REFUSAL_MARKERS)
    lang_ok = looks_english(text) == (question["lang"] == "en")
    record, aspect = expected.get("record"), expected.get("aspect")

    def result(outcome: str, reason: str) -> Scored:
        return Scored(question, text, outcome, stated, reason, lang_ok, ms)

    if reply.get("degraded"):
        return result("other", "degraded reply")
    # The overview (every station's reading, then "ask with a ward's name, e.g. …"): a list, not
    # an answer about any one place.
    if sum(places[key].kind == "station" for key in stated) >= 3:
        return result("listed", "listed every station")
    if expected["domain"] == "out_of_scope":
        if reading and not offered:
            return result("confident_wrong", "stated a reading for a question it cannot answer")
        return result("right", "honest refusal") if refusal else result("other", "no refusal")
    if aspect in ("report", "alerts"):
        if has_aspect(aspect, folded) and (record is None or record in stated):
            return result("right", f"{aspect} explained")
        if reading and not offered:
            return result("confident_wrong", f"a reading instead of {aspect}")
        return result("other", f"{aspect} not explained")
    about = stated[:2]
    if record not in about:
        if stated and (reading or has_aspect("no_data", folded)) and not offered:
            return result("confident_wrong", f"about {stated[0]} instead of {record}")
        return result("other", "place not recognised")
    if aspect == "no_data":
        if has_aspect("no_data", folded) and not reading:
            return result("right", "no data said")
        if reading:
            return result("confident_wrong", "a reading for an area without data")
        return result("other", "no data not said")
    if has_aspect("no_data", folded) and not reading:
        return result("confident_wrong", "said no data for a place that has data")
    if has_aspect(aspect, folded):
        return result("right", "right place and aspect")
    if offered:
        return result("asked", "choice offered")
    if has_aspect("report", folded) or has_aspect("alerts", folded):
        return result("confident_wrong", f"another aspect instead of {aspect}")
    return result("other", f"{aspect} not stated")


def load_questions(split: str) -> list[dict[str, Any]]:
    return frozen_questions(QUESTIONS, FROZEN_SHA256, split)


def run_split(url: str, split: str, client_lang: str, places: dict[str, Place]) -> list[Scored]:
    sessions: dict[str, str | None] = {}
    results: list[Scored] = []
    with httpx.Client() as client:
        for question in load_questions(split):
            parent = question.get("follow_up_of")
            session = sessions.get(parent) if parent else None
            lang = question["lang"].upper() if client_lang == "question" else None
            started = time.perf_counter()
            reply = ask(client, url, question["text"], session, lang)
            ms = (time.perf_counter() - started) * 1000
            sessions[question["id"]] = reply.get("sessionId")
            results.append(score(question, reply, places, ms))
    return results


def report(split: str, results: list[Scored], *, show_replies: bool) -> tuple[str, dict[str, Any]]:
    n = len(results)
    outcomes = Counter(r.outcome for r in results)
    summary = {
        "split": split,
        "questions": n,
        "right": outcomes["right"],
        "right_pct": round(100 * outcomes["right"] / n, 1) if n else 0.0,
        "confident_wrong": outcomes["confident_wrong"],
        "answer_in_question_language": sum(r.lang_ok for r in results),
        "outcomes": dict(outcomes),
    }
    lines = [
        f"### {split} split: {n} questions",
        "",
        f"- right: **{outcomes['right']} ({pct(outcomes['right'], n)})**; confident wrong: "
        f"**{outcomes['confident_wrong']}**; every station listed: {outcomes['listed']}; "
        f"other: {outcomes['other']}; asked: {outcomes['asked']}",
        f"- answered in the question's language: {summary['answer_in_question_language']}/{n}",
        "",
        "| group | n | right | confident wrong |",
        "|---|---:|---:|---:|",
    ]
    groups: dict[str, list[Scored]] = defaultdict(list)
    for r in results:
        groups[f"aspect {r.question['expected']['aspect'] or 'out_of_scope'}"].append(r)
        groups[f"lang {r.question['lang']}"].append(r)
    for name in sorted(groups):
        rows = groups[name]
        right = sum(r.outcome == "right" for r in rows)
        wrong = sum(r.outcome == "confident_wrong" for r in rows)
        lines.append(f"| {name} | {len(rows)} | {right} ({pct(right, len(rows))}) | {wrong} |")
    lines += ["", "Misses:", "", "| id | outcome | expected | why | reply (start) |"]
    lines.append("|---|---|---|---|---|")
    for r in results:
        if r.outcome == "right":
            continue
        e = r.question["expected"]
        want = f"{e['record'] or '–'}/{e['aspect'] or 'out_of_scope'}"
        start = " ".join(r.reply_text.split())[:90].replace("|", "/") if show_replies else "–"
        lines.append(f"| {r.question['id']} | {r.outcome} | {want} | {r.reason} | {start} |")
    return "\n".join(lines), summary


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", action="append", choices=["dev", "test"], required=True)
    parser.add_argument("--client-lang", choices=["none", "question"], default="none")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "air_eval")
    parser.add_argument("--graphql-url", help="use a running API instead of starting the stack")
    args = parser.parse_args()
    places = load_places()
    args.out.mkdir(parents=True, exist_ok=True)

    def evaluate(url: str) -> None:
        for split in args.split:
            print(f"==> {split} split ...", file=sys.stderr, flush=True)
            results = run_split(url, split, args.client_lang, places)
            # The test split is never looked at: its misses are listed without the replies.
            text, summary = report(split, results, show_replies=split == "dev")
            (args.out / f"{split}.md").write_text(text + "\n")
            rows = [
                {"id": r.question["id"], "outcome": r.outcome, "reason": r.reason}
                | ({"stated": r.stated, "reply": r.reply_text} if split == "dev" else {})
                for r in results
            ]
            (args.out / f"{split}.json").write_text(
                json.dumps({"summary": summary, "results": rows}, ensure_ascii=False, indent=1)
            )
            print(text)
            print(json.dumps(summary), file=sys.stderr)

    if args.graphql_url:
        evaluate(args.graphql_url)
        return 0
    from bench.chatbot import assistant_stack

    with assistant_stack() as stack:
        evaluate(stack.graphql_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
