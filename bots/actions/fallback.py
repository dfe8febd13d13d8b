"""The two-stage fallback.

Stage one (the first message the assistant is unsure about): offer the most likely intents as
buttons. Stage two (the next message is still unclear, or the question is outside what the
assistant knows): say honestly that it cannot answer, with the hotline and the portal link.
"""

import json
from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import settings
from actions.common import lang_of, say

# What each intent is called on a button, in each language.
GUESS_TITLES: Dict[str, Dict[str, str]] = {
    "ask_procedure_info": {"vi": "Thông tin một thủ tục", "en": "About a procedure"},
    "ask_procedure_documents": {"vi": "Hồ sơ cần những gì", "en": "Documents needed"},
    "ask_procedure_fee": {"vi": "Lệ phí", "en": "Fees"},
    "ask_procedure_time": {"vi": "Mất bao lâu", "en": "Processing time"},
    "ask_procedure_steps": {"vi": "Các bước thực hiện", "en": "Steps"},
    "ask_procedure_agency": {"vi": "Nộp ở đâu", "en": "Where to apply"},
    "ask_procedure_online": {"vi": "Làm trực tuyến", "en": "Apply online"},
    "ask_procedure_legal": {"vi": "Căn cứ pháp lý", "en": "Legal basis"},
    "ask_attractions": {"vi": "Điểm du lịch", "en": "Places to visit"},
    "ask_opening_hours": {"vi": "Giờ mở cửa", "en": "Opening hours"},
    "ask_events": {"vi": "Lễ hội, sự kiện", "en": "Festivals and events"},
    "ask_hospital": {"vi": "Bệnh viện, đặt khám", "en": "Hospitals and booking"},
    "ask_school_for_commune": {"vi": "Trường theo xã/phường", "en": "School for a ward"},
    "ask_admission": {"vi": "Lịch tuyển sinh", "en": "Admission dates"},
    "bot_capabilities": {"vi": "Tôi hỏi được gì?", "en": "What can I ask?"},
}
MAX_GUESSES = 3
MIN_GUESS_CONFIDENCE = 0.1

TEXTS = {
    "vi": {
        "guess": "Tôi chưa chắc bạn hỏi gì. Có phải bạn muốn hỏi về:",
        "none": "Không phải các ý trên",
        "give_up": (
            "Xin lỗi, tôi không trả lời được câu này. Tôi chỉ trả lời về thủ tục hành chính, du "
            "lịch, bệnh viện và trường học ở Thanh Hóa, theo dữ liệu của tỉnh. Bạn có thể gọi "
            "đường dây nóng {hotline} hoặc tra cứu trên Cổng dịch vụ công."
        ),
        "portal": "Cổng dịch vụ công",
    },
    "en": {
        "guess": "I'm not sure what you mean. Did you want to ask about:",
        "none": "None of these",
        "give_up": (
            "Sorry, I can't answer that. I only answer questions about administrative "
            "procedures, tourism, hospitals and schools in Thanh Hoa, from the province's data. "
            "You can call the hotline {hotline} or look it up on the public services portal."
        ),
        "portal": "Public services portal",
    },
}


def _entities_payload(tracker: Tracker) -> str:
    entities = {
        entity["entity"]: entity["value"]
        for entity in (tracker.latest_message or {}).get("entities") or []
        if isinstance(entity.get("value"), str)
    }
    return json.dumps(entities, ensure_ascii=False) if entities else ""


def _previous_turn_was_a_guess(tracker: Tracker) -> bool:
    """True when the assistant's last message before this one offered guesses (stage one)."""
    seen_current_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_current_message:
                return False
            seen_current_message = True
        elif event.get("event") == "bot" and seen_current_message:
            custom = (event.get("data") or {}).get("custom") or {}
            return bool(custom.get("fallback_stage") == 1)
    return False


def _guesses(tracker: Tracker) -> List[str]:
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    names: List[str] = []
    for candidate in ranking:
        name = candidate.get("name")
        if name in GUESS_TITLES and (candidate.get("confidence") or 0) >= MIN_GUESS_CONFIDENCE:
            names.append(name)
        if len(names) == MAX_GUESSES:
            break
    return names


class ActionFallback(Action):
    def name(self) -> Text:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        lang = lang_of(tracker)
        texts = TEXTS[lang]
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        guesses = _guesses(tracker) if intent == "nlu_fallback" else []
        if guesses and not _previous_turn_was_a_guess(tracker):
            payload_entities = _entities_payload(tracker)
            buttons = [
                {"title": GUESS_TITLES[name][lang], "payload": f"/{name}{payload_entities}"}
                for name in guesses
            ]
            buttons.append({"title": texts["none"], "payload": "/out_of_scope"})
            dispatcher.utter_message(
                text=texts["guess"], buttons=buttons, json_message={"fallback_stage": 1}
            )
            return []
        give_up(dispatcher, lang)
        return []


def give_up(dispatcher: CollectingDispatcher, lang: str) -> None:
    """Say honestly that the assistant cannot answer, with the hotline and the portal."""
    texts = TEXTS[lang]
    say(
        dispatcher,
        texts["give_up"].format(hotline=settings.hotline()),
        links=[{"title": texts["portal"], "url": settings.portal_url()}],
    )
