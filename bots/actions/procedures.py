"""Procedure questions: find the procedure in the catalogue, then answer the aspect asked."""

import json
import re
import unicodedata
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers, settings
from actions.api import ApiUnavailable, graphql, nodes
from actions.common import lang_of, say

CODE = re.compile(r"^\d+\.\d+$")
CANDIDATES = 3

FIELDS = """
  code name agency level onlineLevel
  documents { name originals copies form }
  steps processingTime { text workingDays } fees { amountVnd condition }
  legalBasis { document articles } onlineUrl
"""
BY_CODE = f"query Procedure($code: String!, $lang: Language) {{ procedure(code: $code, lang: $lang) {{ {FIELDS} }} }}"
SEARCH = """
query FindProcedure($search: String!, $first: Int, $lang: Language) {
  procedures(search: $search, first: $first, lang: $lang) { nodes { code name } }
}
"""


def _words(text: str) -> set:
    text = text.lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return set(re.sub(r"[^0-9a-z]+", " ", plain).split())


def related(best: str, other: str, share: float = 0.75) -> bool:
    """Whether a runner-up is close enough to the best match to be worth offering."""
    best_words = _words(best)
    return bool(best_words) and len(best_words & _words(other)) / len(best_words) >= share


def _lang_enum(lang: str) -> str:
    return "EN" if lang == "en" else "VI"


async def find_procedures(text: str, lang: str) -> List[Dict[str, Any]]:
    """Best matches for the user's words (a code finds exactly that procedure)."""
    text = text.strip()
    if CODE.match(text):
        record = await procedure_by_code(text, lang)
        return [record] if record else []
    data = await graphql(
        SEARCH, {"search": text[:200], "first": CANDIDATES, "lang": _lang_enum(lang)}, lang=lang
    )
    return nodes(data.get("procedures"))


async def procedure_by_code(code: str, lang: str) -> Optional[Dict[str, Any]]:
    data = await graphql(BY_CODE, {"code": code, "lang": _lang_enum(lang)}, lang=lang)
    record: Optional[Dict[str, Any]] = data.get("procedure")
    return record


class ValidateProcedureForm(FormValidationAction):
    """Resolves the user's words to one procedure code (and keeps the runner-ups)."""

    def name(self) -> Text:
        return "validate_procedure_form"

    async def validate_procedure(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[Text, Any]:
        lang = lang_of(tracker)
        text = str(slot_value or "").strip()
        if not text:
            return {"procedure": None}
        try:
            matches = await find_procedures(text, lang)
        except ApiUnavailable:
            # Keep the words: the answer step says the data cannot be reached right now.
            return {"procedure": text, "procedure_candidates": []}
        if not matches:
            say(dispatcher, answers.label(lang, "not_found", text=text))
            return {"procedure": None, "procedure_candidates": []}
        others = [
            {"code": m["code"], "name": m["name"]}
            for m in matches[1:]
            if related(matches[0]["name"], m["name"])
        ]
        return {"procedure": matches[0]["code"], "procedure_candidates": others}


class ActionAnswerProcedure(Action):
    """Answers the aspect asked (documents, fee, time, ...) from the procedure record."""

    def name(self) -> Text:
        return "action_answer_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        lang = lang_of(tracker)
        code = str(tracker.get_slot("procedure") or "")
        aspect = tracker.get_slot("aspect") or "info"
        try:
            record = await procedure_by_code(code, lang) if CODE.match(code) else None
        except ApiUnavailable:
            say(dispatcher, answers.label(lang, "unavailable", hotline=settings.hotline()),
                links=[_portal_link(lang)])
            return [SlotSet("procedure", None)]
        if record is None:
            say(dispatcher, answers.label(lang, "not_found", text=code))
            return [SlotSet("procedure", None)]
        text, links = answers.procedure_answer(record, aspect, lang)
        buttons = [
            {
                "title": candidate["name"],
                "payload": "/inform_procedure" + json.dumps({"procedure": candidate["code"]}),
            }
            for candidate in tracker.get_slot("procedure_candidates") or []
        ]
        if buttons:
            text = f"{text}\n\n{answers.label(lang, 'other_matches')}"
        say(dispatcher, text, links=links, buttons=buttons)
        return []


def _portal_link(lang: str) -> Dict[str, str]:
    title = "Online public services portal" if lang == "en" else "Cổng dịch vụ công"
    return {"title": title, "url": settings.portal_url()}
