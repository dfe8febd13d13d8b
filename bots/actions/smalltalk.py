"""Small talk (greetings, thanks, goodbyes, "what can I ask?") in the conversation's language,
and the language slot it sets as the answering actions do: no action runs before every
prediction just to fill that slot."""

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import settings
from actions.ask import ActionAnswer
from actions.common import lang_of, say
from actions.fallback import TEXTS
from actions.text import detect_lang, words

# Messages this long are questions, whatever the NLU says (small talk is short).
QUESTION_WORDS = 8

# What the assistant says to greetings, thanks, goodbyes and "what can I ask?", by intent.
SMALL_TALK = {
    "greet": {
        "vi": (
            "Xin chào! Tôi trả lời câu hỏi về thủ tục hành chính, điểm du lịch, sự kiện, bệnh "
            "viện, trường học và chất lượng không khí ở Thanh Hóa. Bạn cần hỏi gì?"
        ),
        "en": (
            "Hello! I can answer questions about administrative procedures, places to visit, "
            "events, hospitals, schools and air quality in Thanh Hoa. What would you like to "
            "know?"
        ),
    },
    "goodbye": {
        "vi": "Chào bạn, chúc bạn một ngày tốt lành!",
        "en": "Goodbye, and have a good day!",
    },
    "thank": {
        "vi": "Không có gì ạ. Bạn cần hỏi thêm gì không?",
        "en": "You're welcome. Anything else?",
    },
    "bot_capabilities": {
        "vi": (
            "Bạn có thể hỏi, ví dụ: hồ sơ một thủ tục gồm những gì, lệ phí, mất mấy ngày, nộp ở "
            "đâu, có làm online được không; Sầm Sơn có gì chơi; lễ hội diễn ra khi nào; đặt khám "
            "ở bệnh viện nào; phường của bạn học trường nào; khi nào tuyển sinh lớp 6; không khí "
            "ở Sầm Sơn hôm nay thế nào."
        ),
        "en": (
            "Ask me, for example: what documents a procedure needs, its fee, how long it takes, "
            "where to apply or whether it can be done online; what to see in Sam Son; when a "
            "festival takes place; how to book at a hospital; which school serves a ward; when "
            "grade 6 admission opens; how the air is in Sam Son today."
        ),
    },
}


def language_events(tracker: Tracker, lang: str) -> List[EventType]:
    """The ``lang`` slot, once a message tells the language (the app's, or the question's):
    not fixed by default before that."""
    message = tracker.latest_message or {}
    metadata = message.get("metadata") or {}
    text = str(message.get("text") or "")
    known = metadata.get("lang") in ("vi", "en") or (
        not text.startswith("/") and detect_lang(text) is not None
    )
    return [SlotSet("lang", lang)] if known or tracker.get_slot("lang") else []


class ActionSmallTalk(Action):
    """Greetings, thanks, goodbyes and "what can I ask?" in the conversation's language (so
    no action runs before every prediction just to fill the language slot)."""

    def name(self) -> Text:
        return "action_small_talk"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        lang = lang_of(tracker)
        message = tracker.latest_message or {}
        intent = str((message.get("intent") or {}).get("name") or "")
        text = str(message.get("text") or "")
        if len(words(text)) >= QUESTION_WORDS and not text.startswith("/"):
            # A long message is a question the NLU took for small talk ("hỗ trợ chi phí mai
            # táng ... thì ai được hưởng" as "what can I ask?"): answered if a record fits.
            trial = CollectingDispatcher()
            events = await ActionAnswer().run(trial, tracker, domain)
            gave_up = TEXTS[lang]["give_up"].format(hotline=settings.hotline())
            if trial.messages and all(m.get("text") != gave_up for m in trial.messages):
                dispatcher.messages.extend(trial.messages)
                return events
        say(dispatcher, SMALL_TALK.get(intent, SMALL_TALK["bot_capabilities"])[lang])
        return language_events(tracker, lang)
