"""The one action that answers a question about a record: retrieval first, then the aspect.

1. The language: the app's, else the question's (actions/common.py), kept for the conversation.
2. The domain and aspect: the intent gives them, the question's words refine the aspect
   (actions/text.py); entities are not the key.
3. The record: the API searches every catalogue with the user's words in one request
   (actions/catalogue.py); actions/resolve.py answers the best match only when its words single
   it out and it is clearly ahead of the next; otherwise it offers both ("did you mean A or
   B?"), and says so when nothing matches (never a neighbouring record).
4. A follow-up that names no record ("còn lệ phí?") is about the conversation's last record.
"""

import json
import re
from typing import Any, Dict, List, Optional, Set, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers, catalogue, place_answers, places, settings
from actions.api import ApiUnavailable
from actions.common import lang_of, say
from actions.everyday import merged as merged_synonyms
from actions.everyday import PLACE_DOMAINS, place_synonyms, spelled
from actions.fallback import give_up
from actions.place_kinds import ALL as ALL_KINDS
from actions.place_kinds import (
    KindAsked,
    kind_records,
    kinds_asked,
    lodging_asked,
    lodging_named,
    market_named,
    named_by_pairs,
    eating_asked,
    place_mended,
    transport_asked,
)
from actions.place_kinds import kind_words as place_kind_words
from actions.resolve import (
    ASKING_WORDS,
    PLAN_ASKED,
    WHERE_BEFORE,
    RENEWAL_WORDS,
    LONG_WORD,
    SCHOOL_LEVELS,
    Decision,
    Scored,
    accents_mended,
    asks_named_procedure,
    beside,
    beyond_place_names,
    decide,
    domains_named,
    headed_procedure,
    named_event,
    only_place_names,
    pair_beyond_place_names,
    only_specialty,
    phrased,
    place_over_plan,
    placed_only,
    rare_words,
    says_procedure,
    score,
    spelled_out,
    in_town,
    itinerary_by_town_only,
    modified_in_english,
    kind_words,
    town_elsewhere,
    town_records,
    undone_deed,
    towns_placed,
    venue_first,
    venue_named,
)
from actions.text import (
    aspect_asked,
    aspect_in,
    deed_after_thing,
    aspect_typos,
    copied_paper,
    detect_lang,
    points_back,
    how_and_what_to_bring,
    refers_back,
    respelled,
    search_words,
    specific_aspect,
    vehicles_named,
    words,
    without_opener,
    without_status_words,
    y_spelled,
)

CODE = re.compile(r"\b\d\.\d{6}\b")
DOMAIN_OF_INTENT = {
    "ask_procedure_info": "procedures",
    "ask_procedure_documents": "procedures",
    "ask_procedure_fee": "procedures",
    "ask_procedure_time": "procedures",
    "ask_procedure_steps": "procedures",
    "ask_procedure_agency": "procedures",
    "ask_procedure_online": "procedures",
    "ask_procedure_legal": "procedures",
    "inform_procedure": "procedures",
    "ask_attractions": "tourism",
    "ask_opening_hours": "tourism",
    "ask_events": "tourism",
    "ask_hospital": "health",
    "ask_school_for_commune": "education",
    "ask_admission": "education",
}
ASPECT_OF_INTENT = {
    "ask_procedure_documents": "documents",
    "ask_procedure_fee": "fee",
    "ask_procedure_time": "time",
    "ask_procedure_steps": "steps",
    "ask_procedure_agency": "agency",
    "ask_procedure_online": "online",
    "ask_procedure_legal": "legal",
    "ask_opening_hours": "hours",
    "ask_events": "upcoming_events",
    "ask_admission": "admission",
    "ask_school_for_commune": "catchment",
}
# Questions about no record in particular, answered with a list by the older actions.
# (Only where the question says which list: a list answered to a question about something
# else would state records it was not about.)
LISTS = {
    "ask_events": places.ActionAnswerEvents,
    "ask_school_for_commune": places.ActionAnswerSchool,
    "ask_admission": places.ActionAnswerAdmission,
}
# Aspects only one domain answers: they point to that domain whatever the intent says
# ("chuyển trường cho con về THCS Như Bá Sỹ" is about the school, not the procedure).
ASPECT_DOMAIN = {
    "transfer": "education",
    "catchment": "education",
    "admission": "education",
    "how_to_book": "health",
    "departments": "health",
    "hours": "tourism",
    "open_now": "tourism",
    "price": "tourism",
}
# A follow-up is short and names no record: "còn lệ phí thì sao", "what about the hours?".
FOLLOW_UP_MAX_WORDS = 9
# A procedure question this short that names none ("cần mang giấy tờ gì"): ask which one.
ASK_WHICH_MAX_WORDS = 6
ASPECT_BUTTONS = {
    "procedure": ("documents", "fee", "time", "agency", "online"),
    "attraction": ("hours", "price", "address"),
    "hospital": ("address", "how_to_book", "departments"),
    "school": ("address", "admission", "catchment"),
}
ASPECT_TITLES = {
    "documents": {"vi": "Hồ sơ", "en": "Documents"},
    "fee": {"vi": "Lệ phí", "en": "Fees"},
    "time": {"vi": "Thời hạn", "en": "Processing time"},
    "agency": {"vi": "Nộp ở đâu", "en": "Where to apply"},
    "online": {"vi": "Làm online", "en": "Online"},
    "hours": {"vi": "Giờ mở cửa", "en": "Opening hours"},
    "price": {"vi": "Giá vé", "en": "Tickets"},
    "address": {"vi": "Địa chỉ, bản đồ", "en": "Address, map"},
    "how_to_book": {"vi": "Đặt khám", "en": "How to book"},
    "departments": {"vi": "Chuyên khoa", "en": "Departments"},
    "admission": {"vi": "Tuyển sinh", "en": "Admission"},
    "catchment": {"vi": "Tuyến tuyển sinh", "en": "Catchment"},
}


def _payload(kind: str, record_id: str, aspect: Optional[str] = None) -> str:
    ref = f"{kind}:{record_id}" + (f":{aspect}" if aspect else "")
    return "/choose_record" + json.dumps({"record_ref": ref})


def _portal(lang: str) -> List[Dict[str, str]]:
    title = "Cổng dịch vụ công" if lang == "vi" else "Public services portal"
    return [{"title": title, "url": settings.portal_url()}]


def _parse_ref(value: Any) -> Optional[Tuple[str, str, Optional[str]]]:
    parts = str(value or "").split(":")
    if len(parts) < 2 or parts[0] not in catalogue.RECORD_QUERIES:
        return None
    return parts[0], parts[1], (parts[2] if len(parts) > 2 and parts[2] else None)


def _aspect(text: str, intent: str, kind: Optional[str], previous: Optional[str]) -> Optional[str]:
    table = "procedures" if kind == "procedure" else "places"
    if kind is None:
        table = "procedures" if DOMAIN_OF_INTENT.get(intent) == "procedures" else "places"
    aspect = aspect_asked(text, table, ASPECT_OF_INTENT.get(intent)) or previous
    if table == "procedures" and aspect in STEPS_DOCUMENTS and how_and_what_to_bring(text):
        return "steps_documents"
    if kind == "event" and aspect in WHEN:
        return "upcoming_events"  # "what time does the festival start": when it takes place
    return aspect


# What each kind of record can answer, of the places' aspects: "Lam Kinh opening hours" is
# about the site, not the festival; "đặt lịch khám" about a hospital.
KIND_ASPECTS = {
    "attraction": {"hours", "open_now", "price", "address", "phone", "upcoming_events"},
    "event": {"upcoming_events"},
    "itinerary": set(),
    # (Hours: not in the data, said so rather than another place's hours stated.)
    "hospital": {"address", "phone", "how_to_book", "departments", "hours", "open_now"},
    "school": {"address", "phone", "admission", "catchment", "transfer"},
}
# Records that lie in one town: one asked "in" another is not there (``town_elsewhere``).
TOWN_KINDS = ("attraction", "hospital", "school")
# Catalogues whose kind named with a town holding none of it is said to be missing there
# ("bệnh viện ở Nga Sơn"; festivals have their own path: the events held there).
NONE_THERE_KINDS = ("health", "education")
# The abbreviations and school levels that name those kinds ("bv", "thpt", "cấp 3").
LEVEL_WORDS = {"bv", "bvdk", "tyt", "ttyt", "thpt", "thcs", "cap", "truong"}
# The aspects a question asking both how and what to bring is answered with together.
STEPS_DOCUMENTS = ("steps", "documents")
# A place's hours asked of an event ("What time does the festival start?") ask when it is.
WHEN = ("hours", "open_now")
# Tourism records that are not events (a question naming a festival is not about them).
PLACES = ("attraction", "itinerary")
# Below this confidence the intent does not give the aspect alone (tuned on the dev split).
INTENT_SURE = 0.7
# "cấp 2 Bắc Sơn": the lower-secondary school's name says THCS.
SCHOOL_SYNONYMS = {level: [school.split(" ", 1)[1]] for level, school in SCHOOL_LEVELS.items()}
HINT_BONUS = 1.5
# The most places of a town offered at once for a kind asked there.
TOWN_OPTIONS = 5
# A second catalogue whose best record the words single out at least this much (relative to
# the first's) makes the answer a choice between the two (tuned on the dev split).
CROSS_CLOSE = 0.9


_synonyms: Dict[str, Dict[str, List[str]]] = {}


def domain_synonyms(domain: str) -> Dict[str, List[str]]:
    """The everyday names the resolver reads for one catalogue: the procedures' list (also read
    for tourism and health, as before), "cấp 2" for schools, and each place catalogue's own
    (actions/everyday.py)."""
    if domain not in _synonyms:
        base = SCHOOL_SYNONYMS if domain == "education" else catalogue.synonyms()
        own = spelled(place_synonyms(domain)) if domain != "procedures" else {}
        _synonyms[domain] = merged_synonyms(base, own)
    return _synonyms[domain]


def _named_record(decision: Decision) -> bool:
    """Whether a catalogue's best record is named by a rare pair of its own or an everyday
    name, not by place names or lone words ("Thanh Hóa", "school")."""
    best = decision.best
    return decision.kind != "none" and best is not None and bool(best.strong or best.named)


def _clear_procedure(decision: Decision) -> bool:
    """Whether the procedure catalogue answers with one record the words name by a pair of its
    own or an everyday name, leaving nothing of that name unexplained."""
    best = decision.best
    return (
        decision.kind == "answer"
        and best is not None
        and best.candidate.kind == "procedure"
        and bool(best.strong or best.named)
        and not best.unexplained
    )


def _pair_named(decision: Decision) -> bool:
    """Whether the best record is named by a rare pair of its own, nothing of its name
    unexplained."""
    best = decision.best
    return best is not None and bool(best.strong) and not best.unexplained


def _pair_answered(decision: Decision) -> bool:
    """Whether the catalogue answers with one record a rare pair of its own names."""
    return decision.kind == "answer" and decision.best is not None and bool(decision.best.strong)


# Words a follow-up holds besides those of how an aspect is asked ("còn vé thì sao", "and the
# tickets?"): they name nothing.
FOLLOW_UP_WORDS = {
    "con", "thi", "sao", "a", "vay", "nhe", "oi", "ad", "k", "ko", "khong", "day", "ay", "nua",
    "the", "and", "what", "about", "also", "too", "it", "is", "are", "an", "there", "do", "any",
}


def _words_and_pairs(text: str) -> Set[str]:
    """The folded words of a text and its pairs of neighbouring words."""
    folded = words(text)
    return {*folded, *(f"{a} {b}" for a, b in zip(folded, folded[1:]))}


def named_beyond_search(
    text: str,
    candidates: List[catalogue.Candidate],
    names: "catalogue.Names",
    domain: str,
    lang: str,
) -> List[catalogue.Candidate]:
    """The records of a place catalogue a rare pair of the question names that the search's
    hits lack (``place_kinds.named_by_pairs``), as candidates."""
    have = {c.id for c in candidates}
    added = []
    for record_id in named_by_pairs(words(text), names.indexes[domain]):
        kind = names.kind_of(record_id)
        if record_id in have or kind in (None, "itinerary", "procedure"):
            continue
        added.append(catalogue.Candidate(str(kind), record_id, names.name(str(kind), record_id, lang)))
    return added


def plan_asked(text: str) -> bool:
    """Whether the question asks for a plan of a visit ("lịch trình 2 ngày", "weekend")."""
    return bool(_words_and_pairs(text) & PLAN_ASKED)


def asks_only(text: str) -> bool:
    """Whether every word of the text is one of how an aspect is asked or of a follow-up
    ("có phải mua vé không"; not "giá vàng hôm nay bao nhiêu tiền": "vàng" is what it asks)."""
    return set(words(text)) <= ASKING_WORDS | FOLLOW_UP_WORDS


def fits_aspect(kind: str, aspect: Optional[str]) -> bool:
    """Whether a record of ``kind`` can answer a places aspect (procedures: any)."""
    return kind == "procedure" or aspect is None or aspect in KIND_ASPECTS.get(kind, set())


def pick(
    decisions: Dict[str, Decision],
    hint: Optional[str],
    names: "catalogue.Names",
    known: bool = True,
) -> Tuple[Optional[str], Decision]:
    """The domain whose best record the words single out most (relative to what that
    catalogue needs), the intent's domain counting HINT_BONUS times."""
    found = []
    paired = {
        domain
        for domain, decision in decisions.items()
        if decision.kind != "none"
        and decision.best is not None
        and pair_beyond_place_names(decision.best, names.indexes[domain])
    }
    for domain, decision in decisions.items():
        if decision.best is None:
            continue
        if (
            domain != "procedures"
            and ((hint is not None and known) or paired - {domain})
            and only_place_names(decision.best, names.indexes[domain])
        ):
            # Only a place name ("thuê trọ ở TP Thanh Hóa" of the provincial museum): where,
            # not which record of that catalogue. (Where the NLU names no catalogue, or the
            # question holds words none knows, it still counts: a question about the town, or a
            # doubt, not an answer on one pair: "work permit for a foreign English teacher in
            # Thanh Hoa" is no construction permit.) Nor where another catalogue's record
            # shares a pair of its name beyond place names ("sv thuê trọ ở tp thanh hóa có
            # phải đk tạm trú": not the provincial museum).
            continue
        if decision.best.shared and set(decision.best.shared) <= decision.best.asking:
            # Only words of how people ask ("provincial" of "provincial hospital", asked of
            # the provincial museum): no record of that catalogue is named.
            continue
        strength = decision.best.evidence / names.indexes[domain].min_evidence()
        found.append((strength * (HINT_BONUS if domain == hint else 1.0), domain))
    if not found:
        return None, Decision("none")
    found.sort(reverse=True)
    (strength, domain), rest = found[0], found[1:]
    decision = decisions[domain]
    if rest and rest[0][0] >= CROSS_CLOSE * strength and decision.best is not None:
        # Two catalogues fit the words about as well ("Sầm Sơn" the beach, the hospital, the
        # school): ask which, rather than pick one.
        other = decisions[rest[0][1]].best
        if other is not None:
            return domain, Decision("choose", [decision.best, other])
    return domain, decision


class ActionAnswer(Action):
    def name(self) -> Text:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        lang = lang_of(tracker)
        message = tracker.latest_message or {}
        text = str(message.get("text") or "")
        intent = str((message.get("intent") or {}).get("name") or "")
        sure = float((message.get("intent") or {}).get("confidence") or 0.0) >= INTENT_SURE
        events: List[EventType] = [SlotSet("lang", lang)]
        try:
            return events + await self._answer(
                dispatcher, tracker, domain, text, intent, lang, sure
            )
        except ApiUnavailable:
            say(dispatcher, answers.label(lang, "unavailable", hotline=settings.hotline()))
            return events

    async def _answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        text: str,
        intent: str,
        lang: str,
        sure: bool = True,
    ) -> List[EventType]:
        previous_aspect = tracker.get_slot("aspect")
        chosen = _parse_ref(next(tracker.get_latest_entity_values("record_ref"), None))
        if intent == "choose_record" and chosen:
            kind, record_id, aspect = chosen
            return await self._say_record(dispatcher, kind, record_id, aspect or previous_aspect, lang)
        names = await catalogue.names()
        # "đăng kí" is "đăng ký" (the catalogues write "y"); "cho em hỏi" asks nothing, "cho Hoi
        # o Sam Son" names the market (place_kinds.market_named).
        text = without_opener(market_named(y_spelled(text), names.markets))
        code = CODE.search(text) or CODE.search(str(next(tracker.get_latest_entity_values("procedure"), "")))
        if code:
            aspect = _aspect(text, intent, "procedure", previous_aspect)
            return await self._say_record(dispatcher, "procedure", code.group(), aspect, lang)
        # "biển só", "hộ chiêu": one accent mistyped in a pair of a procedure's name, read as
        # the name writes it (searched, scored and weighed as unknown so); "bảo tang": one
        # syllable's accents left out in a pair of a place's name, the same.
        for domain in ("procedures", *(d for d in names.indexes if d != "procedures")):
            text = accents_mended(text, names.indexes[domain], names.vocabulary.accented)
        # So is a letter mistyped there ("hộ chếu", "khai sin"), or an accent giving a word
        # no name pairs with ("hộ chiêu"): read as the names write it, for the search and the
        # words unknown.
        mended = (
            names.indexes["procedures"].mended(text, names.vocabulary.knows_written)
            if detect_lang(text) != "en"
            else text
        )
        if mended == text and detect_lang(text) != "en":
            # So is a letter of a place's name ("lễ hội pồn pôông": *Pôồn Pôông*).
            for place in PLACE_DOMAINS:
                mended = place_mended(mended, names.indexes[place], names.vocabulary.knows_written)
        # "tra cứu tình trạng hồ sơ căn cước": the words asking the state of a file name no
        # record (searched and scored without them; the aspect is read from the question).
        mended = without_status_words(mended)
        # Out of scope to the classifier, or holding a word only its out-of-scope examples hold
        # and naming no kind of record ("thời tiết Sầm Sơn cuối tuần": the weather, not the
        # weekend itinerary, review R7; not "my kid has a fever, where is the city hospital").
        outside = intent == "out_of_scope" or (
            bool(_words_and_pairs(text) & names.outside_words)
            and not domains_named(text, names.markers)
        )
        # Words no catalogue (and no question the assistant was built for) holds: as written
        # for procedures ("thất nghiệp"), folded for the rest (fewer everyday words unknown).
        # (An aspect word mistyped, "tiket", is that word: known.)
        typos = aspect_typos(text, "places") | aspect_typos(text, "procedures")
        unknown = [word for word in names.vocabulary.unknown(mended) if word not in typos]
        loosely = [
            word for word in names.vocabulary.unknown(mended, accents=False) if word not in typos
        ]
        # Outside what the assistant knows, with a word no catalogue holds: honest, unless the
        # procedure catalogue singles out one record by its own words ("red book for the first
        # time" of an English question the classifier put outside; see _clear_procedure).
        doubtful = outside and bool(loosely)
        hint = DOMAIN_OF_INTENT.get(intent)
        found = await catalogue.search(mended, lang)
        # ("my new car": the names' "vehicles".)
        vehicles = vehicles_named(mended, names.indexes["procedures"].frequency)
        # ("get my household registered": searched with the everyday "household registration".)
        deed = deed_after_thing(vehicles, {}, domain_synonyms("procedures"))
        plain = search_words(deed, list(names.indexes.values()), names.vocabulary)
        # "bv nhi": "benh vien nhi"; "pasport": "passport"
        reading = spelled_out(respelled(vehicles, list(names.indexes.values()), names.vocabulary))
        reading = deed_after_thing(
            reading, names.indexes["procedures"].frequency, domain_synonyms("procedures")
        )
        rare = (
            rare_words(mended, names.indexes["procedures"], domain_synonyms("procedures"))
            if plain == mended and detect_lang(mended) != "en"
            else ""
        )
        # A long question searched by its rare words (below).
        story = False
        if plain != mended:
            # A long English question's words of how it is asked outweigh the one or two
            # naming a procedure in the search: procedures are searched with the latter. (The
            # places keep the whole question: "weekend plan" is how an itinerary is asked.)
            found["procedures"] = (await catalogue.search(plain, lang))["procedures"]
        elif rare and self._no_procedure_in(found["procedures"], reading, names, unknown):
            # So do a long Vietnamese question's words telling its story, where the whole
            # question finds no procedure: procedures are searched with its pairs the names
            # hold and its everyday names.
            found["procedures"] = (await catalogue.search(rare, lang))["procedures"]
            story = True
        for place in PLACE_DOMAINS:
            # A place its own rare pair names, ranked out of the search's first hits by a long
            # question's other words ("... driving up to Xuan Lien nature reserve this
            # afternoon, is it open today ..."): a candidate too.
            found[place] = found.get(place, []) + named_beyond_search(
                mended, found.get(place, []), names, place, lang
            )
        itineraries = [
            catalogue.Candidate("itinerary", record_id, record_names[0])
            for record_id, record_names in names.names.get("itinerary", {}).items()
        ]
        decisions: Dict[str, Decision] = {}
        scored_in: Dict[str, List[Scored]] = {}
        place_aspect = aspect_in(text, "places")
        if place_aspect in WHEN and "event" in domains_named(text, names.kind_markers):
            # The hours of a festival are when it takes place.
            place_aspect = "upcoming_events"
        # Vietnamese names are pairs of syllables: one or two lone syllables shared ("nghĩa"
        # and "quân" of "Quần thể nghỉ dưỡng") name no place. English words are words.
        vietnamese = detect_lang(text) != "en"
        named = domains_named(text, names.markers)
        copied = copied_paper(text)
        for name, candidates in found.items():
            if name == "tourism":
                candidates = candidates + itineraries
            fitting = [c for c in candidates if fits_aspect(c.kind, place_aspect)]
            # The kind of record named keeps its records when the aspect's words are not its
            # own ("lớp bổ túc buổi tối" of a school is no opening hours; see _say_record),
            # if one of them is named by its own words (below).
            unfit = not fitting and name in named
            candidates = candidates if unfit else fitting
            index = names.indexes[name]
            procedures = name == "procedures"
            synonyms = domain_synonyms(name)
            scored = score(reading, candidates, index, synonyms)
            if not procedures:
                scored = beyond_place_names(scored, index)
                # "quán cà phê ở Sầm Sơn": the town's weekend plan is not what is asked.
                scored = [s for s in scored if not itinerary_by_town_only(s, index, text)]
            scored_in[name] = scored
            # Procedures' long official names make a better word fit a weak reason to answer
            # another procedure than the one the search ranks first (dev split): offer both.
            decisions[name] = venue_first(
                decide(
                    scored,
                    index.min_evidence(),
                    rival_answers=not procedures,
                    phrase_needed=procedures or vietnamese,
                    unknown=unknown if procedures else bool(loosely),
                    heads=procedures and vietnamese,
                    story=procedures and story,
                    places=not procedures,
                    english=not vietnamese,
                ),
                scored,
            )
            if not procedures:
                # "Is Pu Luong worth visiting?": the reserve, not its itinerary.
                decisions[name] = place_over_plan(decisions[name], text)
            if unfit and not _named_record(decisions[name]):
                decisions[name] = Decision("none")
            best = decisions[name].best
            if (
                name == "health"
                and best is not None
                and name not in named
                and ASPECT_DOMAIN.get(place_aspect or "") != name
                and only_specialty(best, reading, index, synonyms)
            ):
                # What a hospital treats, said of someone ("bà bầu ăn gì", "nghỉ thai sản khi
                # mang thai"), names a hospital only in a question asking for one ("có bầu
                # khám ở bệnh viện nào", "đặt khám", "pregnant, which hospital").
                decisions[name] = Decision("none")
            if (
                procedures
                and not vietnamese
                and decisions[name].kind == "answer"
                and not _named_record(decisions[name])
                and any(
                    len(word) >= LONG_WORD and word not in RENEWAL_WORDS and word not in copied
                    for word in unknown
                )
            ):
                # English, a long word no catalogue knows ("Australian" of a marriage), and the
                # record named by lone words of its name: perhaps a kind the catalogue lacks.
                # (Not a word of what is done to a paper the resolver reads, "replacement" of
                # a lost licence: the re-issue it settled on. Nor a word of the paper a copy
                # to be certified is made of, "copies of my university diploma certified":
                # any paper is copied.)
                decisions[name] = Decision("unsure", decisions[name].options)
        best_procedure = decisions["procedures"].best
        if (
            not vietnamese
            and decisions["procedures"].kind == "answer"
            and best_procedure is not None
            and undone_deed(text, best_procedure, loosely)
        ):
            # English doing to the record's paper what no catalogue knows ("get my death
            # certificate translated", "translate my birth certificate"): the catalogue lacks
            # that deed; the record's own is not stated for it.
            decisions["procedures"] = Decision("none")
        if asks_named_procedure(text, decisions["procedures"], loosely):
            # English asking to do a procedure its words name ("my girlfriend needs a
            # certificate of single status", "how do I get my signature certified"): within
            # what the assistant answers, whatever the classifier says or a word no catalogue
            # knows ("girlfriend", "diploma").
            outside = doubtful = False
        owner = ASPECT_DOMAIN.get(place_aspect or "")
        back = refers_back(text) and bool(owner) and self._about_previous(tracker, owner, text)
        # A procedure its own rare pair names, nothing of its name unexplained, and no place
        # named so ("school transfer" beside "Thanh Hoa", "household business" beside "Sam
        # Son"): a procedure question, whatever the intent or a place's aspect word says.
        # (Not a follow-up asking the conversation's school an aspect only schools have: "còn
        # tuyển sinh vào lớp 10 thì sao".)
        procedure_named = (
            _clear_procedure(decisions["procedures"])
            and not any(
                _named_record(found) for name, found in decisions.items() if name != "procedures"
            )
            and not (owner and self._about_previous(tracker, owner, text))
        ) or (
            # Or named by a pair its name begins with ("chuyển trường" of *Chuyển trường đối
            # với học sinh THCS*), nothing unexplained, where no other catalogue answers
            # ("chuyển trường cấp 2 cho con từ Hà Nội về": no school named, the schools found
            # only by the level's words are "not found exactly").
            headed_procedure(decisions["procedures"], names.indexes["procedures"])
            and not any(
                found.kind == "answer" or (found.kind == "choose" and _named_record(found))
                for name, found in decisions.items()
                if name != "procedures"
            )
            and not (owner and self._about_previous(tracker, owner, text))
        )
        # (Or, the intent naming no catalogue, a procedure its own rare pair names, whatever else
        # its long question says: "my school is asking me for a criminal record certificate"
        # names no school.)
        procedure_asked = (
            hint == "procedures"
            or procedure_named
            or (hint is None and _pair_answered(decisions["procedures"]))
        )
        if owner and procedure_asked and not _named_record(decisions[owner]) and not back:
            # A procedure question with a school's aspect naming no school ("thi vào 10 mấy
            # môn", "how does a school transfer work"): the aspect does not choose the domain,
            # unless it points back to the conversation's record ("tuyển sinh vào trường đó").
            owner = None
        if len(named) == 1 and procedure_asked and not _named_record(
            decisions[next(iter(named))]
        ):
            # "How does a school transfer work": a kind of record named, no record of it.
            named = set()
        kind_named = next(iter(named)) if len(named) == 1 else None
        placed = (
            towns_placed(text, names.towns, asked=kind_words(names.markers[kind_named]) | LEVEL_WORDS)
            if kind_named in NONE_THERE_KINDS
            else []
        )
        if not procedure_named and kind_named and decisions[kind_named].kind == "none" and placed:
            # "bệnh viện ở Nga Sơn": the kind asked has no record there; not another kind's.
            return await self._in_town(dispatcher, names, text, intent, lang, placed[0])
        if procedure_named:
            chosen_domain, decision = "procedures", decisions["procedures"]
        elif len(named) == 1 and decisions[next(iter(named))].kind != "none":
            # The question says which kind of record ("BV ...", "trường THPT ...", "lễ hội").
            chosen_domain = next(iter(named))
            decision = decisions[chosen_domain]
        elif owner and decisions[owner].kind != "none":
            chosen_domain, decision = owner, decisions[owner]
        elif (
            owner
            and not doubtful
            and not (outside and not asks_only(text))
            and self._about_previous(tracker, owner, text)
        ):
            # An aspect only the conversation's record's kind has, naming no record of that
            # kind ("còn tuyển sinh thì sao" after a school): a follow-up about that record.
            kind, record_id, _ = _parse_ref(tracker.get_slot("record")) or ("", "", None)
            return await self._say_record(dispatcher, kind, record_id, place_aspect, lang)
        else:
            # The intent counts in ``pick`` (HINT_BONUS), which offers both catalogues' records
            # when they are close; a place far ahead of a procedure that fits by a syllable or
            # two ("Làng bánh gai Tứ Trụ ở đâu": "trú ở" of the judicial record) is answered.
            # (Vietnamese: a catalogue whose best shares a syllable or two is no rival of one
            # naming its record by a phrase.)
            chosen_domain, decision = pick(
                phrased(decisions) if vietnamese else decisions, hint, names, known=not loosely
            )
        best = decision.best
        service = (
            "no_lodging"
            if lodging_asked(text)
            and not any(
                lodging_named(names.names.get(o.candidate.kind, {}).get(o.candidate.id, []))
                for o in decision.options[:2]
            )
            else "no_transport"
            if transport_asked(text)
            else "no_eating"
            if eating_asked(text)
            else None
        )
        if (
            service is not None
            and chosen_domain is not None
            and chosen_domain != "procedures"
            and decision.best is not None
            and not only_place_names(decision.best, names.indexes[chosen_domain])
            and not plan_asked(text)
        ):
            # Where to sleep at a place, how to get there ("homestay ở Pù Luông", "hotel near
            # Sam Son beach", "taxi to Pu Luong"): no catalogue holds lodging or transport; said
            # so, the place offered, not its overview nor its ticket stated. (A place named only
            # by a town several catalogues hold, "số taxi ở Thanh Hóa": the honest reply below.)
            return self._no_service(dispatcher, service, decision, names, text, intent, lang)
        kinds = (
            kinds_asked(text)
            if chosen_domain != "procedures"
            and not loosely
            and not (best is not None and best.candidate.kind == "itinerary")
            else []
        )
        town = self._kind_town(text, kinds, decision, names) if kinds else None
        if town is not None and (
            decision.kind == "none"
            or only_place_names(decision.best, names.indexes[chosen_domain or "tourism"])
            or kind_records(kinds, names.in_town.get(town, []), names.categories)
        ):
            # "di tích ở Vĩnh Lộc", "đền ở Sầm Sơn": a kind of place asked in a town, no record
            # named by more than the kind and the town: that town's places of the kind (none
            # there: said so; "bảo tàng ở Hoằng Hóa" offers the province's museum, below).
            return await self._in_town(dispatcher, names, text, intent, lang, town)
        festival = "event" in domains_named(text, names.kind_markers) and chosen_domain in (
            "tourism",
            None,
        )
        # Asked of festivals, an event the words name by a pair of its own, else the events held
        # where the question says, else the place it names (its upcoming events), else the
        # next ones (``places.answer_events``). Not a doubt the words leave (a word no
        # catalogue knows).
        festivals_listed = False
        venue: Optional[Scored] = None
        upcoming: List[Dict[str, Any]] = []
        if festival and not (decision.kind == "unsure" and loosely):
            tourism = scored_in.get("tourism", [])
            # Asked about a festival, found only a place ("lễ hội ... Thanh Hóa" and the
            # provincial museum): not that place; the event the words name best ("Sam Son
            # beach festival": the beach ranks first, its festival next).
            decision = named_event(tourism, names.indexes["tourism"], names.event_words)
            if decision.kind == "none":
                venue = venue_named(tourism, names.indexes["tourism"])
                upcoming = await places.events(lang)
                if venue is not None and not place_answers.held_in(text, upcoming):
                    # "lễ hội ở Hàm Rồng": the place's own events (none: the province's next).
                    decision = Decision("answer", [venue])
                elif not loosely:
                    # "lễ hội ở Nga Sơn" (Mai An Tiêm's), "festivals in Thanh Hoa" (the next
                    # ones); not the Sòng Sơn and Sầm Sơn festivals through a syllable "Sơn".
                    festivals_listed = True
        if (
            intent == "nlu_fallback"
            and not vietnamese
            and loosely
            and chosen_domain == "procedures"
            and decision.kind in ("answer", "unsure")
            and not _named_record(decision)
            and decision.best is not None
            and not (
                decision.best.thing_said
                and not modified_in_english(text, decision.best, loosely)
            )
            and not (decision.kind == "answer" and decision.best.deed_said)
        ):
            # Unclear to the classifier, in English, with a word no catalogue holds, and a
            # procedure found by words of its name other than what it is about ("exchange" of
            # "USD to VND exchange rate", not "driving licence"), or by what it is about said
            # of another thing ("passport photos"): not that one. (Vietnamese
            # names are read by their pairs: "xin lý lịch tư pháp để đi xuất khẩu lao động".
            # Not one answered whose first words, what it does to what, the question says:
            # "copies of my nursing college degree certified".)
            give_up(dispatcher, lang)
            return []
        if doubtful and not (chosen_domain == "procedures" and _clear_procedure(decision)):
            give_up(dispatcher, lang)
            return []
        if (
            loosely
            and not named
            and decision.kind in ("choose", "unsure")
            and self._only_where_or_lone(decision, names, intent, vietnamese)
        ):
            # A word no catalogue knows, and records offered that only a place name several
            # catalogues hold singles out ("grab từ Sầm Sơn ra Hà Nội": the beach, the
            # hospital), or, the classifier unsure of an English question, none named by a
            # pair of its own or an everyday name ("work permit for a foreign teacher in Thanh
            # Hoa": the museum, the construction permit): a doubt, not a choice to offer.
            give_up(dispatcher, lang)
            return []
        if outside and not specific_aspect(text) and not (
            decision.kind == "answer"
            and decision.best is not None
            and (decision.best.strong or decision.best.named)
            and not decision.best.unexplained
        ):
            # Asking nothing a record holds ("where", "how" alone), and naming no record by a
            # pair of its own or an everyday name of several words ("lost my id card"), with
            # nothing its name leaves unexplained ("thời tiết Sầm Sơn thế nào", "cấp lại thẻ
            # bảo hiểm y tế"; not "where is Trống Mái rock").
            give_up(dispatcher, lang)
            return []
        if outside and decision.kind != "answer":
            give_up(dispatcher, lang)
            return []
        elsewhere = chosen_domain not in (None, "procedures")
        no_procedure = decisions["procedures"].kind == "none"
        # Asked in words of some procedure's name: "the procedure you asked about" fits it.
        procedure_said = says_procedure(
            scored_in.get("procedures", []), names.indexes["procedures"]
        )
        if (
            hint == "procedures"
            and elsewhere
            and no_procedure
            and (unknown or decision.kind != "answer")
            and not (decision.kind == "answer" and _pair_named(decision) and not loosely)
        ):
            # A procedure question naming something no catalogue knows, or a place's name
            # sharing a few of its words: the procedure is not in the catalogue. (Not a place
            # its own pairs name, every word known once folded: "đền Cô Tiên đi xe máy lên tận
            # nơi được không" is about the temple, whatever the intent says.)
            if not procedure_said:
                give_up(dispatcher, lang)  # no procedure asked: not "the procedure you asked"
                return []
            return self._no_procedure(dispatcher, lang)
        if (
            decision.kind == "answer"
            and decision.best is not None
            and chosen_domain is not None
            and not named
            and only_place_names(decision.best, names.indexes[chosen_domain])
        ):
            # Only a place name several catalogues hold ("mưa ở Sầm Sơn", "taxi in Thanh Hoa",
            # "Thanh Hóa" alone): a question about the town, not about its hospital or museum.
            give_up(dispatcher, lang)
            return []
        if hint == "procedures" and no_procedure and not named and not owner:
            place = decision.best if decision.kind == "answer" else None
            if place is not None and chosen_domain is not None:
                own = names.indexes[chosen_domain].terms.get(place.candidate.id, set())
                if names.indexes["procedures"].phrases_beside(text, own) >= place.evidence:
                    # A procedure question whose procedure words a place's name lacks ("thẻ
                    # bảo hiểm y tế" of *Cao đẳng Y tế*): the procedure is not in the catalogue.
                    return self._no_procedure(dispatcher, lang)
        if decision.kind == "answer" and decision.best is not None:
            best = decision.best.candidate
            kind_domain = catalogue.KIND_DOMAIN[best.kind]
            index = names.indexes[kind_domain]
            town = (
                town_elsewhere(text, decision.best, index, names.towns)
                if best.kind in TOWN_KINDS
                else None
            )
            there_one = (
                in_town(decision.best, scored_in.get(kind_domain, []), town, index)
                if town is not None
                else None
            )
            if there_one is not None:
                # "bãi biển ở Nghi Sơn": the beach of that town, not the one ranked first.
                decision = Decision("answer", [there_one], why="in the town asked")
                best, town = there_one.candidate, None
            if town is not None:
                # "bảo tàng ở Hoằng Hóa", "bệnh viện nhi ở Sầm Sơn": the record is elsewhere;
                # said so, and offered, never stated as the answer for that town (review R10).
                there = names.district_said.get(best.id) or ""
                said = names.towns[town]
                return self._elsewhere(dispatcher, best, said, there, names, text, intent, lang)
            only_town = (
                placed_only(text, decision.best, index, names.towns)
                if best.kind in TOWN_KINDS and kind_domain not in named
                else None
            )
            if only_town is not None:
                # "đền ở Thọ Xuân" and the district's hospital: only where, nothing of what.
                return await self._in_town(dispatcher, names, text, intent, lang, only_town)
            # After "which procedure?", the aspect asked before the answer is still wanted.
            waiting = previous_aspect if tracker.get_slot("record") is None else None
            # An aspect only the intent says, and the intent unsure: an overview with the
            # aspects as buttons, rather than the wrong one stated.
            aspect = _aspect(text, intent if sure else "", best.kind, waiting)
            if venue is not None:
                aspect = "upcoming_events"  # its festivals asked ("lễ hội ở Hàm Rồng khi nào")
            return await self._say_record(dispatcher, best.kind, best.id, aspect, lang)
        previous = _parse_ref(tracker.get_slot("record"))
        if (
            decision.kind in ("choose", "unsure")
            and previous is not None
            and len(words(text)) <= FOLLOW_UP_MAX_WORDS
            and any(s.candidate.id == previous[1] for s in decision.options)
        ):
            # A short question the words leave between records, one of them the conversation's
            # ("còn lệ phí làm lại hết bao nhiêu?" after the ID card's re-issue): that one.
            kind, record_id, _ = previous
            aspect = _aspect(text, intent, kind, tracker.get_slot("aspect"))
            return await self._say_record(dispatcher, kind, record_id, aspect, lang)
        if (
            decision.kind in ("choose", "unsure")
            and previous is not None
            and points_back(text)
            and len(words(text)) <= FOLLOW_UP_MAX_WORDS
            and not any(
                " " in term and not set(term.split()) <= names.event_words
                for option in decision.options
                for term in option.shared
            )
        ):
            # A short question pointing back at the conversation's record ("what is it exactly,
            # some kind of festival?" after a festival's dates), naming no other by words of
            # its own (no pair but the festivals' kind words, "lễ hội"): that record, not a menu
            # of others its kind words fit.
            kind, record_id, _ = previous
            aspect = _aspect(text, intent, kind, None)
            return await self._say_record(dispatcher, kind, record_id, aspect, lang)
        if decision.kind in ("choose", "unsure"):
            towns_only = {
                placed_only(text, option, names.indexes[catalogue.KIND_DOMAIN[kind]], names.towns)
                for option in decision.options[:2]
                for kind in [option.candidate.kind]
            }
            only = next(iter(towns_only))
            if len(towns_only) == 1 and only is not None and not named:
                # "chùa ở Hoằng Hóa" offered the district's hospital and school: each shares
                # only the town asked in, nothing of what is asked (review R4).
                return await self._in_town(dispatcher, names, text, intent, lang, only)
            return self._offer(dispatcher, decision, names, text, intent, lang)
        if festivals_listed:
            entity = next(tracker.get_latest_entity_values("event"), None)
            wanted = str(entity) if entity else None
            # (Another province named, "festival in Da Nang": not this province's next ones.)
            elsewhere = bool(beside(text, set()))
            return places.answer_events(dispatcher, lang, text, wanted, upcoming, elsewhere)
        return await self._nothing_found(
            dispatcher,
            tracker,
            domain,
            text,
            intent,
            lang,
            hint,
            named_unknown=bool(loosely),
            procedure_said=procedure_said,
        )

    @staticmethod
    def _no_procedure_in(
        candidates: List[catalogue.Candidate],
        reading: str,
        names: "catalogue.Names",
        unknown: List[str],
    ) -> bool:
        """Whether no procedure the search found is one the words could name."""
        index = names.indexes["procedures"]
        scored = score(reading, candidates, index, domain_synonyms("procedures"))
        return (
            decide(
                scored,
                index.min_evidence(),
                rival_answers=False,
                phrase_needed=True,
                unknown=unknown,
                heads=True,
            ).kind
            == "none"
        )

    @staticmethod
    def _only_where_or_lone(
        decision: Decision, names: "catalogue.Names", intent: str, vietnamese: bool
    ) -> bool:
        """Whether every record offered shares only place names several catalogues hold with
        the question, or (an English question the classifier is unsure of) none is named by a
        pair of its own or an everyday name."""
        options = decision.options[:2]
        where = all(
            only_place_names(o, names.indexes[catalogue.KIND_DOMAIN[o.candidate.kind]])
            for o in options
        )
        lone = (
            intent == "nlu_fallback"
            and not vietnamese
            and not any(o.strong or o.named for o in options)
        )
        return bool(options) and (where or lone)

    @staticmethod
    def _about_previous(tracker: Tracker, owner: str, text: str) -> bool:
        """Whether the conversation's record is of ``owner``'s kind and the text a follow-up:
        short, or pointing back to it ("tuyển sinh vào trường đó", ``refers_back``)."""
        previous = _parse_ref(tracker.get_slot("record"))
        return (
            previous is not None
            and catalogue.KIND_DOMAIN.get(previous[0]) == owner
            and (len(words(text)) <= FOLLOW_UP_MAX_WORDS or refers_back(text))
        )

    def _offer(
        self,
        dispatcher: CollectingDispatcher,
        decision: Decision,
        names: "catalogue.Names",
        text: str,
        intent: str,
        lang: str,
    ) -> List[EventType]:
        offered = [s.candidate for s in decision.options[:2]]
        aspect = _aspect(text, intent, offered[0].kind, None)
        titles = [names.name(c.kind, c.id, lang) for c in offered]
        buttons = [
            {"title": title, "payload": _payload(c.kind, c.id, aspect)}
            for title, c in zip(titles, offered)
        ]
        links: List[Dict[str, str]] = []
        if decision.kind == "unsure" and offered[0].kind == "procedure":
            # The words say more than these procedures' names: perhaps one the catalogue lacks.
            message = answers.label(lang, "unsure_procedure", hotline=settings.hotline())
            links = _portal(lang)
        elif decision.kind == "unsure":
            # A word no catalogue knows: perhaps something the data lacks ("Samsung S24 giá").
            message = answers.label(lang, "unsure_place", hotline=settings.hotline())
        elif len(offered) == 1:
            message = answers.label(lang, "choose_one", first=titles[0])
        else:
            message = answers.label(lang, "choose", first=titles[0], second=titles[1])
        say(dispatcher, message, buttons=buttons, links=links)
        if len(offered) == 1 and decision.kind == "choose":
            # One record the words name offered ("Có phải bạn muốn hỏi về Tách hộ?"), and the
            # next message asks an aspect without pressing it ("hồ sơ gồm những gì?"): about
            # that record. Not the closest of an "unsure" offer (review R14: "kết hôn với người
            # nước ngoài", then "hồ sơ gồm những gì", would state the domestic marriage).
            only = offered[0]
            return [SlotSet("aspect", aspect), SlotSet("record", f"{only.kind}:{only.id}")]
        return [SlotSet("aspect", aspect)]

    async def _nothing_found(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        text: str,
        intent: str,
        lang: str,
        hint: Optional[str],
        named_unknown: bool = False,
        procedure_said: bool = True,
    ) -> List[EventType]:
        previous = _parse_ref(tracker.get_slot("record"))
        if previous and len(words(text)) <= FOLLOW_UP_MAX_WORDS and not named_unknown:
            # (Not one naming something no catalogue knows: "how much is a beer" after a temple
            # is not its ticket, nor after a procedure its fee (review R15). A chat spelling of
            # how an aspect is asked is known: "lệ phí bnhieu", text.py.)
            kind, record_id, previous_aspect = previous
            aspect = _aspect(text, intent, kind, tracker.get_slot("aspect"))
            return await self._say_record(dispatcher, kind, record_id, aspect, lang)
        listed = intent in LISTS and (
            intent != "ask_admission" or aspect_in(text, "places") == "admission"
        )
        if listed:
            return list(await LISTS[intent]().run(dispatcher, tracker, domain))
        if hint == "procedures":
            aspect = aspect_in(text, "procedures")  # asked in so many words, not just the intent
            if (
                len(words(text)) <= ASK_WHICH_MAX_WORDS
                and aspect
                and intent != "inform_procedure"
                and not named_unknown
            ):
                # "hồ sơ gồm những gì": the question names no procedure; ask which one. (Not
                # one naming something no catalogue knows, "đăng ký 4G Viettel thế nào": it
                # named one, and the catalogue lacks it.)
                say(dispatcher, answers.label(lang, "ask_procedure"))
                return [SlotSet("aspect", aspect)]
            if procedure_said:
                return self._no_procedure(dispatcher, lang)
            # Words of no procedure ("kết quả bóng đá", "how much is a beer"): out of scope,
            # not "the procedure you asked about" (review R12).
        give_up(dispatcher, lang)
        return []

    @staticmethod
    def _kind_town(
        text: str, kinds: List[KindAsked], decision: Decision, names: "catalogue.Names"
    ) -> Optional[str]:
        """The town a kind of place is asked in ("di tích ở Vĩnh Lộc", "Sầm Sơn có đền nào"),
        where no record the decision holds is named by more than the kind's words, the town's
        and where words ("di tích" of *Khu di tích Lam Kinh*; not "đền Độc Cước ở Sầm Sơn")."""
        asked = place_kind_words(kinds)
        # After a where word ("ở", "in"); a town beside the kind is a name ("THPT Sầm Sơn",
        # "Sam Son beach"), not where.
        placed = towns_placed(text, names.towns, asked=asked)
        folded = words(text)
        if (
            not placed
            and len(folded) >= 3
            and f"{folded[0]} {folded[1]}" in names.towns
            and (folded[2] not in asked or any(kind.categories == ALL_KINDS for kind in kinds))
        ):
            placed = [f"{folded[0]} {folded[1]}"]  # "Vĩnh Lộc có di tích nào"
        if not placed:
            return None
        town = placed[0]
        # (With the kind's everyday names: "waterfall" is "thác".)
        translated = {
            word
            for kind in kinds
            for said in (kind.phrase, kind.phrase.removesuffix("s"), kind.phrase.removesuffix("es"))
            for phrase in [said, *domain_synonyms("tourism").get(said, [])]
            for word in phrase.split()
        }
        plain = asked | translated | set(town.split()) | WHERE_BEFORE
        for option in decision.options[:2]:
            index = names.indexes[catalogue.KIND_DOMAIN[option.candidate.kind]]
            said = [t for t in option.shared if index.weight(t) > 0]
            # (An everyday name of the kind, "cấp 3" of THPT, names none of its records.)
            if any(not set(t.split()) <= plain for t in [*said, *option.named]):
                return None
        return town

    async def _in_town(
        self,
        dispatcher: CollectingDispatcher,
        names: "catalogue.Names",
        text: str,
        intent: str,
        lang: str,
        town: str,
    ) -> List[EventType]:
        """The town's places of the kind asked ("di tích ở Vĩnh Lộc": *Thành nhà Hồ*, *Phủ
        Trịnh*), else those whose names hold what is asked ("đền ở Thọ Xuân": *Đền thờ Lê
        Hoàn*): one answered, several offered; none: said to be missing there."""
        records = names.in_town.get(town, [])
        found = kind_records(kinds_asked(text), records, names.categories) or town_records(
            text, town, records
        )
        if len(found) == 1:
            kind, record_id = found[0]
            aspect = _aspect(text, intent, kind, None)
            return await self._say_record(dispatcher, kind, record_id, aspect, lang)
        if len(found) == 2:
            options = [Scored(catalogue.Candidate(kind, record_id, ""), 0.0) for kind, record_id in found]
            return self._offer(dispatcher, Decision("choose", options), names, text, intent, lang)
        if found:
            aspect = _aspect(text, intent, found[0][0], None)
            buttons = [
                {"title": names.name(kind, record_id, lang), "payload": _payload(kind, record_id, aspect)}
                for kind, record_id in found[:TOWN_OPTIONS]
            ]
            say(dispatcher, answers.label(lang, "in_town", town=names.towns[town]), buttons=buttons)
            return [SlotSet("aspect", aspect)]
        message = answers.label(lang, "none_there", town=names.towns[town], hotline=settings.hotline())
        say(dispatcher, message)
        return []

    def _no_service(
        self,
        dispatcher: CollectingDispatcher,
        service: str,
        decision: Decision,
        names: "catalogue.Names",
        text: str,
        intent: str,
        lang: str,
    ) -> List[EventType]:
        """No catalogue holds lodging or transport (``service``: the label saying so): said
        so, with the places the question names as buttons (their overview is not where to sleep
        nor how to get there)."""
        offered = [s.candidate for s in decision.options[:2]]
        aspect = _aspect(text, intent, offered[0].kind, None)
        buttons = [
            {"title": names.name(c.kind, c.id, lang), "payload": _payload(c.kind, c.id, aspect)}
            for c in offered
        ]
        say(dispatcher, answers.label(lang, service, hotline=settings.hotline()), buttons=buttons)
        return [SlotSet("aspect", aspect)]

    def _elsewhere(
        self,
        dispatcher: CollectingDispatcher,
        record: "catalogue.Candidate",
        town: str,
        there: str,
        names: "catalogue.Names",
        text: str,
        intent: str,
        lang: str,
    ) -> List[EventType]:
        aspect = _aspect(text, intent, record.kind, None)
        title = names.name(record.kind, record.id, lang)
        said = " ".join(there.replace("-", " ").split()) or town
        message = answers.label(lang, "elsewhere", town=town, there=said)
        say(
            dispatcher,
            message,
            buttons=[{"title": title, "payload": _payload(record.kind, record.id, aspect)}],
        )
        return [SlotSet("aspect", aspect)]

    @staticmethod
    def _no_procedure(dispatcher: CollectingDispatcher, lang: str) -> List[EventType]:
        say(
            dispatcher,
            answers.label(lang, "no_procedure", hotline=settings.hotline()),
            links=_portal(lang),
        )
        return []

    async def _say_record(
        self,
        dispatcher: CollectingDispatcher,
        kind: str,
        record_id: str,
        aspect: Optional[str],
        lang: str,
    ) -> List[EventType]:
        record = await catalogue.record(kind, record_id, lang)
        if record is None:
            say(dispatcher, answers.label(lang, "not_found", text=record_id))
            return [SlotSet("record", None)]
        buttons: List[Dict[str, Any]] = []
        if kind == "procedure":
            shown = aspect if aspect in answers.SECTIONS else "info"
            text, links = answers.procedure_answer(record, shown, lang)
        else:
            if aspect not in KIND_ASPECTS.get(kind, set()) and kind in ASPECT_BUTTONS:
                # Not something this kind of record holds (a school's "hours"): an overview
                # and what can be asked, rather than another aspect stated as the answer.
                aspect = None
            if kind == "attraction" and aspect == "upcoming_events" and not record.get(
                "upcomingEvents"
            ):
                record = {**record, "provinceEvents": await places.province_events(lang)}
            shown = aspect
            text, links = place_answers.place_answer(kind, record, aspect, lang, settings.hotline())
        if aspect is None and kind in ASPECT_BUTTONS:
            # No aspect asked: an overview, and what else can be asked about it.
            buttons = [
                {"title": ASPECT_TITLES[a][lang], "payload": _payload(kind, record_id, a)}
                for a in ASPECT_BUTTONS[kind]
            ]
        say(dispatcher, text, links=links, buttons=buttons)
        return [SlotSet("record", f"{kind}:{record_id}"), SlotSet("aspect", shown)]
