"""End to end through /graphql: real API process, real Rasa server and action server, SecantusDB.

Needs bots/.venv and a model trained on the current data (`make test` / `make run` build both).
Without them these tests are skipped, unless XUTHANH_REQUIRE_BOT_TESTS=1 (set by
scripts/test.sh), which turns the skip into a failure.
"""

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from api.auth import mint_dev_token
from tests.domains.chatbot.stack import (
    DEV_SECRET,
    TRACKER_COLLECTION,
    AssistantStack,
    current_model,
)
from tests.domains.chatbot.stack import bot_environment_ready as _bot_ready

SEND = """
mutation Send($input: SendChatMessageInput!) {
  sendChatMessage(input: $input) {
    __typename
    ... on ChatReply {
      sessionId degraded messages { text buttons { title payload } links { url } }
    }
  }
}
"""


@pytest.fixture(scope="module")
def stack(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AssistantStack]:
    if not _bot_ready():
        if os.environ.get("XUTHANH_REQUIRE_BOT_TESTS") == "1":
            pytest.fail("bots/.venv is missing: run bots/scripts/setup_venv.sh")
        pytest.skip("bots/.venv is missing (make test builds it)")
    model = current_model()
    if model is None:
        if os.environ.get("XUTHANH_REQUIRE_BOT_TESTS") == "1":
            pytest.fail("no model for the current training data: bots/scripts/train.py")
        pytest.skip("the assistant's model is missing or stale (make test trains it)")
    database = f"t_chat_e2e_{uuid.uuid4().hex[:8]}"
    assistant = AssistantStack(
        mongo_uri=mongo_uri, database=database, logs=tmp_path_factory.mktemp("assistant")
    )
    try:
        assistant.start(model)
        yield assistant
    finally:
        assistant.stop()
        with MongoClient(mongo_uri) as client:
            client.drop_database(database)


@pytest.fixture(scope="module")
def mongo(stack: AssistantStack) -> Iterator[Any]:
    with MongoClient(stack.mongo_uri) as client:
        yield client[stack.database]


def ask(
    stack: AssistantStack,
    text: str,
    *,
    session: str | None = None,
    lang: str | None = "VI",
    token: str | None = None,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    variables: dict[str, Any] = {"input": {"text": text, "sessionId": session}}
    if lang is not None:
        variables["input"]["lang"] = lang
    response = httpx.post(
        stack.graphql_url,
        json={"query": SEND, "variables": variables},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    reply: dict[str, Any] = body["data"]["sendChatMessage"]
    assert reply["__typename"] == "ChatReply"
    assert reply["degraded"] is False, stack.tail("rasa") + stack.tail("actions")
    return reply


def text_of(reply: dict[str, Any]) -> str:
    return "\n".join(message["text"] for message in reply["messages"])


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def test_fee_question_answers_with_the_fee_in_the_database(
    stack: AssistantStack, mongo: Any
) -> None:
    record = mongo["procedures"].find_one({"code": "3.000347"})
    assert record is not None, "demo data should hold 3.000347 (driving licence exchange)"
    reply = ask(stack, "lệ phí đổi bằng lái xe bao nhiêu")
    answer = text_of(reply)
    assert "3.000347" in answer
    for fee in record["fees"]:
        assert vnd(fee["amountVnd"]) in answer


def test_the_same_question_without_diacritics(stack: AssistantStack, mongo: Any) -> None:
    record = mongo["procedures"].find_one({"code": "3.000347"})
    answer = text_of(ask(stack, "le phi doi bang lai xe bao nhieu"))
    assert "3.000347" in answer
    assert vnd(record["fees"][0]["amountVnd"]) in answer


def test_follow_up_keeps_the_procedure(stack: AssistantStack, mongo: Any) -> None:
    record = mongo["procedures"].find_one({"code": "1.001456"})
    first = ask(stack, "làm hộ chiếu mất bao lâu")
    assert "1.001456" in text_of(first)
    follow_up = ask(stack, "còn lệ phí thì sao", session=first["sessionId"])
    answer = text_of(follow_up)
    assert "1.001456" in answer
    assert vnd(record["fees"][0]["amountVnd"]) in answer


def test_a_follow_up_the_words_leave_between_two_records_keeps_the_conversations(
    stack: AssistantStack, mongo: Any
) -> None:
    # "làm lại" fits the ID card's and the driving licence's re-issue alike: alone, a choice;
    # after the ID card's, that one.
    record = mongo["procedures"].find_one({"code": "2.001194"})
    first = ask(stack, "tôi bị mất thẻ căn cước, làm lại ở đâu")
    assert "2.001194" in text_of(first)
    follow_up = ask(stack, "làm lại tốn phí bao nhiêu", session=first["sessionId"])
    assert "2.001194" in text_of(follow_up)
    assert vnd(record["fees"][0]["amountVnd"]) in text_of(follow_up)
    alone = ask(stack, "làm lại tốn phí bao nhiêu")
    payloads = " ".join(b["payload"] for m in alone["messages"] for b in m["buttons"])
    assert "2.001194" in payloads and "3.000348" in payloads


def test_the_closest_record_offered_is_not_stated_by_the_next_question(
    stack: AssistantStack,
) -> None:
    # Review R14: a marriage with a foreigner is not in the catalogue; the domestic marriage is
    # offered as the closest, and "hồ sơ gồm những gì" next must not state its documents.
    first = ask(stack, "kết hôn với người nước ngoài")
    assert "1.000894" not in text_of(first)
    follow_up = ask(stack, "hồ sơ gồm những gì", session=first["sessionId"])
    assert "1.000894" not in text_of(follow_up)


def test_the_stored_conversation_holds_each_event_once(stack: AssistantStack, mongo: Any) -> None:
    # bots/tracker_store.py writes a message's new events without reading the conversation back:
    # the record keeps every message once, in order, in one session, as Rasa's own store would.
    texts = ["thủ tục đăng ký kết hôn cần giấy tờ gì", "còn lệ phí thì sao", "mất bao lâu"]
    session = None
    for text in texts:
        session = ask(stack, text, session=session)["sessionId"]
    documents = [
        document
        for document in mongo[TRACKER_COLLECTION].find({})
        if [e.get("text") for e in document["events"] if e["event"] == "user"] == texts
    ]
    assert len(documents) == 1
    events = documents[0]["events"]
    assert [e["event"] for e in events].count("session_started") == 1
    keys = [(e["event"], e.get("name"), e.get("text"), e["timestamp"]) for e in events]
    assert len(keys) == len(set(keys)), "an event stored twice"
    assert (events[-1]["event"], events[-1].get("name")) == ("action", "action_listen")
    assert documents[0]["latest_message"]["text"] == texts[-1]


def test_missing_procedure_is_asked_for(stack: AssistantStack, mongo: Any) -> None:
    record = mongo["procedures"].find_one({"code": "1.001193"})
    question = ask(stack, "hồ sơ gồm những gì")
    assert "1.001193" not in text_of(question)
    answer = text_of(ask(stack, "đăng ký khai sinh", session=question["sessionId"]))
    assert "1.001193" in answer
    assert record["documents"][0]["name"]["vi"] in answer


def test_english_answer(stack: AssistantStack, mongo: Any) -> None:
    record = mongo["procedures"].find_one({"code": "1.001456"})
    answer = text_of(ask(stack, "how much does a passport cost", lang="EN"))
    assert "1.001456" in answer
    assert f"VND {record['fees'][0]['amountVnd']:,}" in answer


def test_out_of_scope_gets_the_honest_fallback(stack: AssistantStack) -> None:
    reply = ask(stack, "tôi bị đau đầu nên uống thuốc gì")
    answer = text_of(reply)
    assert "1800 1096" in answer  # the configured hotline (default)
    assert any(link["url"] for message in reply["messages"] for link in message["links"])
    assert not any(code in answer for code in ("1.00", "2.00", "3.00"))


def test_tracker_store_holds_no_personal_numbers_nor_uids(
    stack: AssistantStack, mongo: Any
) -> None:
    token = mint_dev_token(secret=DEV_SECRET, uid="e2e-citizen-uid-7")
    ask(
        stack,
        "số tôi 0912345678, cccd 038123456789, thẻ bhyt DN4012345678901, tôi bị tiểu đường, "
        "lệ phí làm hộ chiếu",
        token=token,
    )
    documents = list(mongo[TRACKER_COLLECTION].find({}))
    assert documents, "Rasa should store its trackers in MongoDB"
    stored = json.dumps(documents, default=str, ensure_ascii=False)
    assert "<phone>" in stored and "<health-condition>" in stored
    for secret in ("0912345678", "038123456789", "DN4012345678901", "e2e-citizen-uid-7"):
        assert secret not in stored
    assert "tiểu đường" not in stored


@pytest.mark.parametrize(
    ("question", "condition", "answer"),
    [
        ("mẹ tôi bị ung thư nên khám ở bệnh viện nào", "ung thư", "Bệnh viện Ung bướu Thanh Hóa"),
        (
            "bố tôi có bệnh ung thư thì nên khám bệnh viện nào",
            "bệnh ung thư",
            "Bệnh viện Ung bướu Thanh Hóa",
        ),
        (
            "I'm diabetic, where is the provincial general hospital?",
            "diabetic",
            "Thanh Hóa Provincial General Hospital",
        ),
    ],
)
def test_a_stated_condition_is_answered_but_not_stored(
    stack: AssistantStack, mongo: Any, question: str, condition: str, answer: str
) -> None:
    reply = ask(stack, question, lang=None)
    assert answer in text_of(reply)
    said_after = question.split(condition)[1]
    stored = [
        document
        for document in mongo[TRACKER_COLLECTION].find({})
        if any(
            (event.get("text") or "").endswith(said_after)
            for event in document["events"]
            if event["event"] == "user"
        )
    ]
    assert len(stored) == 1, "the conversation should be stored once"
    kept = json.dumps(stored, default=str, ensure_ascii=False)
    assert "<health-condition>" in kept and condition not in kept


def test_logs_hold_no_message_text(stack: AssistantStack) -> None:
    ask(stack, "lệ phí khai tử 0987654321")
    api_log = Path(stack.logs / "api.log").read_text(errors="replace")
    assert "0987654321" not in api_log
    assert "khai tử" not in api_log


def test_an_unclear_message_gets_the_honest_fallback(stack: AssistantStack) -> None:
    reply = ask(stack, "asdkj qwe zzz")
    assert "1800 1096" in text_of(reply)
    assert not any(code in text_of(reply) for code in ("1.00", "2.00", "3.00"))


def test_two_close_matches_are_offered_instead_of_a_confident_answer(
    stack: AssistantStack,
) -> None:
    # "Cấp đổi thẻ căn cước" and "Cấp lại thẻ căn cước" match these words equally well (and the
    # search puts them close): answering either would be a guess, so the assistant asks.
    reply = ask(stack, "lệ phí cấp thẻ căn cước")
    buttons = [button for message in reply["messages"] for button in message["buttons"]]
    payloads = " ".join(button["payload"] for button in buttons)
    assert "2.001195" in payloads and "2.001194" in payloads
    assert "mã 2.00119" not in text_of(reply)  # no record's facts before the user picks
    picked = ask(stack, buttons[0]["payload"], session=reply["sessionId"])
    assert "(mã 2.00119" in text_of(picked) and "lệ phí" in text_of(picked).lower()


def test_a_procedure_the_catalogue_lacks_is_not_answered_with_a_neighbour(
    stack: AssistantStack,
) -> None:
    # The demo catalogue has no health-insurance card re-issue; "cấp lại thẻ" matches the ID
    # card's re-issue, but "bảo hiểm y tế" is not in that name: the reply says the procedure was
    # not found, points to the portal and hotline, and only offers the closest as buttons.
    reply = ask(stack, "cấp lại thẻ bảo hiểm y tế bị mất")
    answer = text_of(reply)
    assert "1800 1096" in answer
    assert "(mã " not in answer  # no procedure's facts stated
    assert any(link["url"] for message in reply["messages"] for link in message["links"])


@pytest.mark.parametrize(
    "question",
    ["trợ cấp thất nghiệp cần giấy tờ gì", "đăng ký nghĩa vụ quân sự ở đâu"],
)
def test_words_no_catalogue_knows_get_not_found_not_a_neighbour(
    stack: AssistantStack, question: str
) -> None:
    # "thất nghiệp" and "nghĩa vụ quân sự" are in no catalogue's names (their syllables are,
    # in other words: "nghỉ dưỡng", "Quần thể"): no procedure, no place is stated.
    reply = ask(stack, question)
    answer = text_of(reply)
    assert "1800 1096" in answer and "không có trong danh mục" in answer
    assert "(mã " not in answer and "FLC" not in answer


def test_vietnamese_typed_as_people_type_it_reaches_the_record_and_a_neighbour_stays_unsaid(
    stack: AssistantStack,
) -> None:
    # A letter missing inside a name's pair ("hộ chếu"), "đk" for "đăng ký": the record stated.
    assert "1.001456" in text_of(ask(stack, "làm hộ chếu cho con cần giấy tờ gì"))
    assert "1.004194" in text_of(ask(stack, "đk tạm trú cho sinh viên ở đâu"))
    # One pair of the land transfer's name ("thừa kế") among words no catalogue knows (a bank
    # savings book): not found, the land transfer not stated (review R16).
    answer = text_of(ask(stack, "rút tiền thừa kế trong sổ tiết kiệm ở ngân hàng"))
    assert "(mã " not in answer and "1800 1096" in answer


def test_english_tourist_question_gets_english_from_the_data(
    stack: AssistantStack, mongo: Any
) -> None:
    record = mongo["tourism_attractions"].find_one({"slug": "ho-dynasty-citadel"})
    assert record is not None
    # The app sends no language: the question's is used, and kept for the conversation.
    reply = ask(stack, "How much is a ticket for the Ho Dynasty Citadel?", lang=None)
    answer = text_of(reply)
    assert answer.startswith(record["name"]["en"])
    assert f"VND {record['tickets']['adultVnd']:,}" in answer
    follow_up = ask(stack, "Ho Dynasty Citadel", session=reply["sessionId"], lang=None)
    assert "Address:" in text_of(follow_up) or "Opening hours" in text_of(follow_up)


def test_a_place_name_alone_states_no_record(stack: AssistantStack) -> None:
    # "Thanh Hóa" is in hospital, school and museum names: it says where, not which. Asked
    # beside a word no catalogue holds, the museum is not stated (nor its opening hours).
    reply = ask(stack, "cho mình xin số taxi ở Thanh Hóa", lang=None)
    answer = text_of(reply)
    assert "1800 1096" in answer
    assert "Bảo tàng" not in answer and "Bệnh viện" not in answer
    assert not any(message["buttons"] for message in reply["messages"])


def test_everyday_words_reach_the_record(stack: AssistantStack) -> None:
    # How people say it, not the catalogue's name: "báo tử" is the death registration, "lost
    # my ID card" the ID card's re-issue (that "lost" alone stays unknown, so "lost my
    # passport" is not read as a passport issuance, is tests/bots/test_unknown_words.py's).
    assert "1.000656" in text_of(ask(stack, "báo tử cho bố cần giấy tờ gì"))
    assert "2.001194" in text_of(ask(stack, "I lost my ID card, what should I do", lang=None))


def test_places_by_their_everyday_names_with_the_aspect_asked(stack: AssistantStack) -> None:
    # What people call a place ("BV tỉnh", "cancer hospital"), not its name; a transfer
    # question is not answered with the catchment, nor a catchment one with admission.
    hospital = text_of(ask(stack, "BV tỉnh số điện thoại bao nhiêu"))
    assert hospital.startswith("Bệnh viện Đa khoa tỉnh Thanh Hóa") and "điện thoại" in hospital
    oncology = text_of(ask(stack, "Where is the cancer hospital in Thanh Hoa?", lang=None))
    assert oncology.startswith("Thanh Hóa Oncology Hospital") and "Address:" in oncology
    transfer = text_of(
        ask(stack, "con đang học trường khác, chuyển về THCS Trần Mai Ninh được không")
    )
    assert transfer.startswith("Trường THCS Trần Mai Ninh") and "Chuyển trường" in transfer
    assert "Tuyến tuyển sinh" not in transfer
    # "provincial" is how people ask for the provincial hospital: not the hospital's name.
    museum = text_of(ask(stack, "Where is the provincial museum?", lang=None))
    assert museum.startswith("Thanh Hóa Provincial Museum") and "Hospital" not in museum
    catchment = text_of(ask(stack, "THCS Trần Mai Ninh nhận học sinh những phường nào"))
    assert "Tuyến tuyển sinh" in catchment and "Tuyển sinh:" not in catchment


def test_an_expats_procedure_question_is_answered_not_refused(stack: AssistantStack) -> None:
    # English as expats word it: the classifier may put it out of scope ("disabled", "she" are
    # words no catalogue holds), but the catalogue names one procedure clearly ("disability
    # certificate"): its answer, in English. A tourist's question outside the data stays honest.
    question = "My mother is disabled, how can she get a disability certificate?"
    answer = text_of(ask(stack, question, lang=None))
    assert "1.001699" in answer
    assert "Sorry" not in answer
    other = text_of(ask(stack, "Can you recommend a massage place?", lang=None))
    assert "Sorry, I can't answer that" in other
    assert not any(code in other for code in ("1.00", "2.00", "3.00"))


def test_english_procedure_questions_with_a_place_or_a_typo_get_the_procedure(
    stack: AssistantStack,
) -> None:
    # The procedure named by its own pair, beside a town's name that beaches, hotels and
    # hospitals share: the procedure, not a place (a confident wrong answer before).
    business = text_of(
        ask(
            stack,
            "My husband wants to open a noodle shop in Sam Son. How do we register a household "
            "business?",
            lang=None,
        )
    )
    assert "1.001612" in business and "Sầm Sơn" not in business
    # A word one letter short of a name's word ("pasport") is that word.
    passport = text_of(ask(stack, "How long does it take to get a pasport?", lang=None))
    assert "1.001456" in passport and "working days" in passport
    # What a procedure does ("transfer"), not what it is about (a school pupil), with a thing no
    # catalogue knows ("motorbike"): not stated (review s8 B1).
    motorbike = text_of(
        ask(stack, "I bought a used motorbike, how do I transfer ownership?", lang=None)
    )
    assert "2.002481" not in motorbike


def test_a_follow_up_outside_the_scope_is_about_the_place_only_in_words_of_an_aspect(
    stack: AssistantStack,
) -> None:
    # After a place, a question made only of how its aspect is asked is about that place,
    # whatever the classifier says; one naming something else ("vàng", "beer") is not.
    first = ask(stack, "bảo tàng tỉnh Thanh Hóa ở đâu")
    ticket = text_of(ask(stack, "thế có phải mua vé không", session=first["sessionId"]))
    assert ticket.startswith("Bảo tàng tỉnh Thanh Hóa") and "Vé" in ticket
    gold = text_of(ask(stack, "giá vàng hôm nay bao nhiêu tiền", session=first["sessionId"]))
    assert "Bảo tàng" not in gold and "1800 1096" in gold
    beer = text_of(ask(stack, "how much is a beer", session=first["sessionId"], lang=None))
    assert "Museum" not in beer and "Bảo tàng" not in beer


def test_a_follow_up_with_a_chat_spelling_keeps_the_procedure(stack: AssistantStack) -> None:
    # A chat spelling of how an aspect is asked ("bnhieu") keeps the follow-up about the
    # conversation's procedure (review R5); a thing no catalogue knows does not (review R15).
    first = ask(stack, "đăng ký kết hôn cần mang gì")
    fee = text_of(ask(stack, "thế lệ phí bnhieu", session=first["sessionId"]))
    assert "1.000894" in fee and "Lệ phí" in fee
    for other in ("how much is a beer", "đăng ký 4G Viettel thế nào", "iphone 15 giá bao nhiêu"):
        reply = text_of(ask(stack, other, session=first["sessionId"], lang=None))
        assert "1.000894" not in reply, other


def test_a_short_procedure_question_naming_what_no_catalogue_knows_is_not_asked_which(
    stack: AssistantStack,
) -> None:
    # "4G Viettel" names what it asks about: not in the catalogue, rather than "which procedure?"
    answer = text_of(ask(stack, "đăng ký gói 4G Viettel thế nào"))
    assert "không có trong danh mục" in answer and "thủ tục nào" not in answer


def test_an_english_deed_said_with_a_verb_names_the_record(stack: AssistantStack) -> None:
    # "register the death": the name says "Death registration"; the classifier may be unsure,
    # the question is still answered, in English.
    question = "My uncle passed away last night. How do we register the death?"
    answer = text_of(ask(stack, question, lang=None))
    assert "1.000656" in answer and "Sorry" not in answer
    # "signature certified": *Certification of signatures ...*.
    signature = text_of(ask(stack, "where do I get a signature certified?", lang=None))
    assert "2.000884" in signature


def test_english_land_passed_on_copies_certified_and_doubts(stack: AssistantStack) -> None:
    # Session 10: a land title passed on by an inheritance is the change of land-use rights, not
    # the first registration (whose English name holds "red book").
    land = text_of(
        ask(stack, "I inherited my aunt's rice field. How do I transfer the red book?", lang=None)
    )
    assert "1.013831" in land and "1.013978" not in land
    # Copies certified, however long the paper's name between the two words.
    copies = text_of(
        ask(stack, "Where do I get copies of my nursing college degree certified?", lang=None)
    )
    assert "2.000815" in copies
    # How and what to bring, asked together: both.
    both = text_of(
        ask(stack, "How do we register our marriage and what do we need to bring?", lang=None)
    )
    assert "1.000894" in both and "Steps" in both and "Documents" in both
    # Only a town's name singles the records out, beside a word no catalogue knows: honest.
    taxi = text_of(ask(stack, "xe ôm từ Sầm Sơn ra ga Thanh Hóa hết bao nhiêu"))
    assert "1800 1096" in taxi and "Bãi biển" not in taxi


def test_an_english_procedure_named_with_a_verb_is_answered_whatever_the_classifier_says(
    stack: AssistantStack,
) -> None:
    # Session 11: a procedure the words name (an everyday name, a rare pair, what it does to
    # what) with a verb of getting or doing one is answered, though the classifier puts the
    # question out of scope or a word is unknown ("fiancee", "diploma"); the follow-up keeps it.
    status = ask(
        stack,
        "My fiancee has to get a certificate of single status before the wedding, where?",
        lang=None,
    )
    assert "1.004873" in text_of(status) and "Sorry" not in text_of(status)
    fee = text_of(ask(stack, "and what does it cost?", session=status["sessionId"], lang=None))
    assert "1.004873" in fee
    thumb = text_of(ask(stack, "how can I get my thumbprint certified", lang=None))
    assert "2.000884" in thumb
    # Out of scope stays out: the weather, money, prices.
    for question in (
        "is it going to rain in Sam Son on Sunday",
        "where can I change dollars into dong",
        "how much does a used scooter cost",
    ):
        assert "1800 1096" in text_of(ask(stack, question, lang=None)), question


def test_a_word_only_out_of_scope_questions_hold_keeps_a_place_question_honest(
    stack: AssistantStack,
) -> None:
    # "thời tiết" (weather) beside the weekend itinerary's words: the weather was asked, not
    # the itinerary (review R7); a hospital asked beside "fever" is still answered.
    weather = text_of(ask(stack, "thời tiết ở Sầm Sơn cuối tuần này ra sao"))
    assert "1800 1096" in weather and "Lịch trình" not in weather
    hospital = text_of(
        ask(stack, "my son has a fever, where is the children's hospital?", lang=None)
    )
    assert "Children" in hospital and "Sorry" not in hospital


def test_festivals_asked_of_a_place(stack: AssistantStack) -> None:
    # Session 9 (review B9, B3, R3): the festivals held in the district named, not two others
    # through the syllable "Sơn"; a place's own festivals; none of the province's for another
    # city or a kind of festival the data lacks.
    district = text_of(ask(stack, "ở Nga Sơn có lễ hội nào sắp diễn ra"))
    assert "Mai An Tiêm" in district and "Sòng Sơn" not in district and "Sầm Sơn" not in district
    place = text_of(ask(stack, "Hàm Rồng có lễ hội gì không"))
    assert place.startswith("Danh thắng Hàm Rồng") and "sự kiện" in place
    for question in ("có lễ hội nào ở Đà Nẵng không", "lễ hội hóa trang Halloween năm nay"):
        reply = text_of(ask(stack, question))
        assert "Sự kiện sắp tới" not in reply and "không tìm thấy" in reply, question


def test_a_kind_of_place_asked_in_a_town_and_lodging(stack: AssistantStack) -> None:
    # Session 11: a kind asked in a town is that town's places of the kind (a relic by its
    # category, a temple by its name), offered, not "none there" nor the province's other one;
    # lodging no catalogue holds is said to be missing, the place offered, not its overview; a
    # school's district is said as people write it, not as its key ("thanh hoa city").
    def buttons(reply: dict[str, Any]) -> list[str]:
        return [b["title"] for message in reply["messages"] for b in message["buttons"]]

    relics = ask(stack, "ở Vĩnh Lộc có những di tích nào")
    assert {"Thành nhà Hồ", "Phủ Trịnh"} <= set(buttons(relics))
    assert "Lam Kinh" not in text_of(relics)
    temples = ask(stack, "Sầm Sơn có đền nào không")
    assert {"Đền Độc Cước", "Đền Cô Tiên"} <= set(buttons(temples))
    lodging = ask(stack, "tìm homestay ở Pù Luông")
    assert "chưa có dữ liệu về chỗ ở" in text_of(lodging)
    assert "Giờ mở cửa" not in text_of(lodging)
    assert buttons(lodging) == ["Khu bảo tồn thiên nhiên Pù Luông"]
    elsewhere = text_of(ask(stack, "trường chuyên Lam Sơn ở Sầm Sơn"))
    assert "TP Thanh Hóa" in elsewhere and "city" not in elsewhere
