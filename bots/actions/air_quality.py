"""Air-quality questions (intent ask_air_quality), answered from the environment API.

One request: ``airQualityAreas`` gives every ward/commune with the reading of its station (the
nearest within 15 km, with its freshness and age) and its alert state; actions/air_answers.py
finds the place the question names (accents optional; a station when the question says
"trạm"/"station"), reads what it asks (the air now, advice, the main pollutant, how to report
pollution, how to follow alerts) and words the reply; the place answered is kept in the
``record`` slot (``air:area:<code>``) for a follow-up that names none. A question without a
word about the air (and not following an air-quality answer) goes to the catalogue's
retrieval instead (action_answer). When the API cannot be reached the assistant says so: it
never guesses a reading.
"""

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import air_answers, answers, settings
from actions.api import ApiUnavailable, graphql
from actions.ask import ActionAnswer
from actions.common import lang_of, say

AIR_AREAS = """
query AssistantAirAreas($lang: Language) {
  airQualityAreas(lang: $lang) {
    code
    name
    topic
    distanceKm
    freshness
    aqi
    alerting
    band { label }
    station {
      station { id name }
      freshness
      measuredAt
      ageMinutes
      aqi
      dominantPollutant
      generated
      band { name label advice sensitiveAdvice }
    }
  }
}
"""


class ActionAnswerAirQuality(Action):
    def name(self) -> Text:
        return "action_answer_air_quality"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        lang = lang_of(tracker)
        message = tracker.latest_message or {}
        text = str(message.get("text") or "")
        places = [str(value) for value in tracker.get_latest_entity_values("place")]
        record = str(tracker.get_slot("record") or "")
        previous = record if record.startswith("air:") else None
        if not air_answers.about_air(text) and previous is None:
            # Not about the air in so many words (nor a follow-up of an air-quality answer):
            # the catalogue's retrieval answers it.
            return list(await ActionAnswer().run(dispatcher, tracker, domain))
        events: List[EventType] = [SlotSet("lang", lang)]
        if air_answers.aspect_of(text) == "report":
            say(dispatcher, air_answers.t(lang, "report", hotline=settings.hotline()))
            return events
        try:
            variables = {"lang": "EN" if lang == "en" else "VI"}
            data = await graphql(AIR_AREAS, variables, lang=lang)
        except ApiUnavailable:
            say(dispatcher, answers.label(lang, "unavailable", hotline=settings.hotline()))
            return events
        areas = data.get("airQualityAreas") or []
        text, place = air_answers.reply(
            text, areas, lang, hotline=settings.hotline(), entities=places, previous=previous
        )
        say(dispatcher, text)
        # The place, for a follow-up that names none ("còn bụi mịn thì sao?").
        return events + ([SlotSet("record", place)] if place else [])
