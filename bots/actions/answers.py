"""Turn API records into answers, in Vietnamese or English.

Pure functions (no Rasa imports) so they can be tested on their own. Every answer about a
procedure names it and its code; a field missing from the record is said to be missing.
"""

from typing import Any, Dict, List, Optional, Tuple

Record = Dict[str, Any]
Link = Dict[str, str]

LABELS: Dict[str, Dict[str, str]] = {
    "vi": {
        "about": 'Thủ tục "{name}" (mã {code})',
        "documents": "Hồ sơ gồm:",
        "documents_missing": "Dữ liệu chưa ghi thành phần hồ sơ của thủ tục này.",
        "originals": "{n} bản chính",
        "copies": "{n} bản sao",
        "form": "mẫu: {form}",
        "fee": "Lệ phí:",
        "fee_missing": "Dữ liệu chưa ghi lệ phí của thủ tục này.",
        "free": "Miễn phí",
        "money": "{amount} đồng",
        "time": "Thời hạn giải quyết: {text}",
        "working_days": "{n} ngày làm việc",
        "same_day": "trong ngày",
        "time_missing": "Dữ liệu chưa ghi thời hạn giải quyết của thủ tục này.",
        "validity": "Thời hạn của giấy tờ, theo dữ liệu: {text}",
        "validity_missing": (
            "Dữ liệu chưa ghi giấy tờ nhận được có giá trị bao lâu. Bạn tra trên Cổng dịch vụ "
            "công hoặc hỏi cơ quan thực hiện."
        ),
        "status": (
            "Dữ liệu tôi tra cứu không có tình trạng hồ sơ của từng người. Bạn tra cứu trên Cổng "
            "dịch vụ công bằng mã hồ sơ ghi trên giấy hẹn, hoặc hỏi nơi đã nhận hồ sơ."
        ),
        "steps": "Các bước thực hiện:",
        "steps_missing": "Dữ liệu chưa ghi các bước thực hiện của thủ tục này.",
        "agency": "Nộp hồ sơ tại: {agency} (cấp {level}).",
        "agency_missing": "Dữ liệu chưa ghi cơ quan thực hiện thủ tục này.",
        "online_full": "Có thể làm trực tuyến toàn trình.",
        "online_partial": "Có thể nộp trực tuyến một phần (một số bước vẫn phải đến trực tiếp).",
        "online_missing": "Dữ liệu chưa ghi thủ tục này có làm trực tuyến được hay không.",
        "online_link_missing": "Dữ liệu chưa có đường dẫn nộp trực tuyến cho thủ tục này.",
        "legal": "Căn cứ pháp lý:",
        "legal_missing": "Dữ liệu chưa ghi căn cứ pháp lý của thủ tục này.",
        "applicants": "Đối tượng thực hiện: {text}",
        "conditions": "Điều kiện: {text}",
        "eligibility_missing": "Dữ liệu chưa ghi đối tượng và điều kiện của thủ tục này.",
        "choose": "Bạn muốn hỏi về {first} hay {second}?",
        "choose_one": "Có phải bạn muốn hỏi về {first}?",
        "unsure_place": (
            "Tôi không tìm thấy đúng điều bạn hỏi trong dữ liệu tôi tra cứu được. Gần nhất là "
            "các mục dưới đây; nếu không phải, bạn gọi đường dây nóng {hotline}."
        ),
        "none_there": (
            "Tôi không tìm thấy nơi bạn hỏi ở {town} trong dữ liệu tôi tra cứu được. Bạn có thể "
            "gọi đường dây nóng {hotline}."
        ),
        "elsewhere": (
            "Tôi không tìm thấy nơi bạn hỏi ở {town} trong dữ liệu tôi tra cứu được. Nơi gần với "
            "điều bạn hỏi nhất trong dữ liệu ở {there}:"
        ),
        "in_town": "Ở {town}, dữ liệu có những nơi này khớp với điều bạn hỏi; bạn chọn một nơi:",
        "no_lodging": (
            "Tôi chưa có dữ liệu về chỗ ở (khách sạn, nhà nghỉ, homestay). Bạn có thể gọi đường "
            "dây nóng {hotline}. Thông tin về nơi bạn nhắc đến:"
        ),
        "no_transport": (
            "Tôi chưa có dữ liệu về xe khách, xe buýt, taxi hay tàu. Bạn có thể gọi đường dây "
            "nóng {hotline}. Thông tin về nơi bạn nhắc đến:"
        ),
        "no_eating": (
            "Tôi chưa có dữ liệu về nhà hàng, quán ăn hay quán cà phê. Bạn có thể gọi đường dây "
            "nóng {hotline}. Thông tin về nơi bạn nhắc đến:"
        ),
        "unsure_procedure": (
            "Tôi không tìm thấy đúng thủ tục bạn hỏi trong danh mục tôi tra cứu được (có thể danh "
            "mục chưa có). Gần nhất là thủ tục dưới đây; nếu không phải, bạn tra trên Cổng dịch "
            "vụ công hoặc gọi đường dây nóng {hotline}."
        ),
        "ask_procedure": (
            "Bạn hỏi về thủ tục nào? Ví dụ: đăng ký khai sinh, làm hộ chiếu, đổi giấy phép lái xe."
        ),
        "no_procedure": (
            "Thủ tục bạn hỏi không có trong danh mục thủ tục tôi tra cứu được, và tôi không trả "
            "lời bằng một thủ tục gần giống. Bạn tra trên Cổng dịch vụ công hoặc gọi đường dây "
            "nóng {hotline}."
        ),
        "articles": "({articles})",
        "apply_online": "Nộp trực tuyến",
        "other_matches": "Có thể bạn hỏi thủ tục khác:",
        "not_found": 'Tôi không tìm thấy thủ tục nào khớp với "{text}". Bạn thử gọi tên khác nhé.',
        "unavailable": (
            "Xin lỗi, hiện tôi không tra cứu được dữ liệu. Bạn thử lại sau ít phút, hoặc gọi "
            "đường dây nóng {hotline}."
        ),
        "CENTRAL": "trung ương",
        "PROVINCE": "tỉnh",
        "DISTRICT": "huyện",
        "COMMUNE": "xã",
    },
    "en": {
        "about": 'Procedure "{name}" (code {code})',
        "documents": "Documents to submit:",
        "documents_missing": "The record does not list the documents for this procedure.",
        "originals": "{n} original(s)",
        "copies": "{n} copy/copies",
        "form": "form: {form}",
        "fee": "Fees:",
        "fee_missing": "The record does not state a fee for this procedure.",
        "free": "Free",
        "money": "VND {amount}",
        "time": "Processing time: {text}",
        "working_days": "{n} working day(s)",
        "same_day": "same day",
        "time_missing": "The record does not state a processing time for this procedure.",
        "validity": "How long it lasts, per the record: {text}",
        "validity_missing": (
            "The record does not say how long the paper you get stays valid. Look it up on the "
            "public services portal or ask the office that issues it."
        ),
        "status": (
            "The data I can look up does not hold the state of anyone's application. Look it up "
            "on the public services portal with the file code on your receipt, or ask the office "
            "that took your application."
        ),
        "steps": "Steps:",
        "steps_missing": "The record does not list the steps of this procedure.",
        "agency": "Apply at: {agency} ({level} level).",
        "agency_missing": "The record does not name the agency for this procedure.",
        "online_full": "It can be done fully online.",
        "online_partial": "It can be started online (some steps still need a visit in person).",
        "online_missing": "The record does not say whether this procedure can be done online.",
        "online_link_missing": "The record has no link for applying online.",
        "legal": "Legal basis:",
        "legal_missing": "The record does not state a legal basis for this procedure.",
        "applicants": "Who can apply: {text}",
        "conditions": "Requirements: {text}",
        "eligibility_missing": "The record does not say who can apply or on what conditions.",
        "choose": "Did you mean {first} or {second}?",
        "choose_one": "Did you mean {first}?",
        "unsure_place": (
            "I could not find exactly what you asked about in the data I can look up. The "
            "closest are below; if it is not one of them, call the hotline {hotline}."
        ),
        "none_there": (
            "I could not find what you asked about in {town} in the data I can look up. You can "
            "call the hotline {hotline}."
        ),
        "elsewhere": (
            "I could not find what you asked about in {town} in the data I can look up. The "
            "closest to it in the data is in {there}:"
        ),
        "in_town": "In {town}, the data holds these places matching what you asked; pick one:",
        "no_lodging": (
            "Sorry, I don't have the data to answer that: no hotels, guesthouses or homestays are "
            "in the data I can look up. You can call the hotline {hotline}. About the place you "
            "mentioned:"
        ),
        "no_transport": (
            "Sorry, I don't have the data to answer that: no buses, taxis or trains are in the "
            "data I can look up. You can call the hotline {hotline}. About the place you "
            "mentioned:"
        ),
        "no_eating": (
            "Sorry, I don't have the data to answer that: no restaurants or cafés are in the data "
            "I can look up. You can call the hotline {hotline}. About the place you mentioned:"
        ),
        "unsure_procedure": (
            "I could not find exactly that procedure in the catalogue I can look up (it may not "
            "be there). The closest are below; if it is not one of them, look it up on the public "
            "services portal or call the hotline {hotline}."
        ),
        "ask_procedure": (
            "Which procedure do you mean? For example: birth registration, passport, exchanging "
            "a driving licence."
        ),
        "no_procedure": (
            "The procedure you asked about is not in the catalogue I can look up, and I will not "
            "answer with a similar one. Look it up on the public services portal or call the "
            "hotline {hotline}."
        ),
        "articles": "({articles})",
        "apply_online": "Apply online",
        "other_matches": "Did you mean another procedure?",
        "not_found": 'I could not find a procedure matching "{text}". Try another name.',
        "unavailable": (
            "Sorry, I cannot look that up right now. Please try again in a few minutes, or call "
            "the hotline {hotline}."
        ),
        "CENTRAL": "central",
        "PROVINCE": "province",
        "DISTRICT": "district",
        "COMMUNE": "commune",
    },
}

ASPECTS = (
    "info", "documents", "fee", "time", "validity", "steps", "agency", "online", "legal",
    "eligibility", "status",
)


def label(lang: str, key: str, **values: Any) -> str:
    table = LABELS.get(lang, LABELS["vi"])
    return table[key].format(**values)


def money(amount: int, lang: str) -> str:
    """135000 -> '135.000 đồng' (vi) or 'VND 135,000' (en); 0 -> free."""
    if amount == 0:
        return label(lang, "free")
    grouped = f"{amount:,}"
    if lang != "en":
        grouped = grouped.replace(",", ".")
    return label(lang, "money", amount=grouped)


def _documents(record: Record, lang: str) -> List[str]:
    documents = record.get("documents") or []
    if not documents:
        return [label(lang, "documents_missing")]
    lines = [label(lang, "documents")]
    for document in documents:
        details = []
        if document.get("originals"):
            details.append(label(lang, "originals", n=document["originals"]))
        if document.get("copies"):
            details.append(label(lang, "copies", n=document["copies"]))
        if document.get("form"):
            details.append(label(lang, "form", form=document["form"]))
        suffix = f" ({'; '.join(details)})" if details else ""
        lines.append(f"- {document.get('name', '')}{suffix}")
    return lines


def _fees(record: Record, lang: str) -> List[str]:
    fees = record.get("fees") or []
    if not fees:
        return [label(lang, "fee_missing")]
    lines = [label(lang, "fee")]
    for fee in fees:
        amount = money(int(fee.get("amountVnd") or 0), lang)
        condition = fee.get("condition")
        lines.append(f"- {amount}: {condition}" if condition else f"- {amount}")
    return lines


def _time(record: Record, lang: str) -> List[str]:
    processing = record.get("processingTime") or {}
    text = processing.get("text")
    if not text and processing.get("workingDays") is not None:
        days = processing["workingDays"]
        text = (
            label(lang, "same_day")
            if days == 0
            else label(lang, "working_days", n=f"{days:g}")
        )
    if not text:
        return [label(lang, "time_missing")]
    return [label(lang, "time", text=text)]


# Words of a record's conditions saying how long what it gives lasts ("Thời hạn tạm trú tối đa
# 02 năm"); not a deadline to apply ("trong thời hạn 60 ngày kể từ ngày sinh"; review R14).
VALIDITY_WORDS = ("tối đa", "có giá trị", "hiệu lực", "valid for", "maximum", "up to", "expires")
DEADLINE_WORDS = ("trong thời hạn", "within")


def _validity(record: Record, lang: str) -> List[str]:
    # How long the paper stays valid: what the conditions say of it, else said missing (never
    # the processing time).
    conditions = str(record.get("conditions") or "")
    said = conditions.lower()
    if any(w in said for w in VALIDITY_WORDS) and not any(w in said for w in DEADLINE_WORDS):
        return [label(lang, "validity", text=conditions)]
    return [label(lang, "validity_missing")]


def _steps(record: Record, lang: str) -> List[str]:
    steps = record.get("steps") or []
    if not steps:
        return [label(lang, "steps_missing")]
    return [label(lang, "steps"), *(f"{i}. {step}" for i, step in enumerate(steps, start=1))]


def _agency(record: Record, lang: str) -> List[str]:
    agency = record.get("agency")
    if not agency:
        return [label(lang, "agency_missing")]
    level = record.get("level")
    level_text = label(lang, level) if level in LABELS["vi"] else str(level or "?").lower()
    return [label(lang, "agency", agency=agency, level=level_text)]


def _online(record: Record, lang: str) -> List[str]:
    level = record.get("onlineLevel")
    lines = [
        label(lang, "online_full")
        if level == "FULL"
        else label(lang, "online_partial")
        if level == "PARTIAL"
        else label(lang, "online_missing")
    ]
    if level and not record.get("onlineUrl"):
        lines.append(label(lang, "online_link_missing"))
    return lines


def _legal(record: Record, lang: str) -> List[str]:
    bases = record.get("legalBasis") or []
    if not bases:
        return [label(lang, "legal_missing")]
    lines = [label(lang, "legal")]
    for basis in bases:
        articles = basis.get("articles")
        extra = f" {label(lang, 'articles', articles=articles)}" if articles else ""
        lines.append(f"- {basis.get('document', '')}{extra}")
    return lines


def _eligibility(record: Record, lang: str) -> List[str]:
    lines = []
    if record.get("applicants"):
        lines.append(label(lang, "applicants", text=record["applicants"]))
    if record.get("conditions"):
        lines.append(label(lang, "conditions", text=record["conditions"]))
    return lines or [label(lang, "eligibility_missing")]


def _conditions(record: Record, lang: str) -> List[str]:
    # Who may, and on what conditions, where the record says so (beside where it is done: a
    # yes-or-no about an office); nothing where it does not.
    said = record.get("applicants") or record.get("conditions")
    return _eligibility(record, lang) if said else []


def _status(record: Record, lang: str) -> List[str]:
    # The state of one's own application: where to look it up, never the steps as if they
    # answered it; the office and the processing time as the record gives them.
    return [label(lang, "status")]


SECTIONS = {
    "documents": (_documents,),
    "fee": (_fees,),
    "time": (_time,),
    "validity": (_validity, _agency),
    "steps": (_steps,),
    # Both asked in so many words ("how do I apply and what do I need to bring").
    "steps_documents": (_steps, _documents),
    "agency": (_agency,),
    # Whether it can be done at an office ("nộp ở xã có được không", "can I get it done at the
    # ward office?"): where it is done, and who may on what conditions.
    "agency_conditions": (_agency, _conditions),
    "status": (_status, _agency, _time),
    "online": (_online,),
    "legal": (_legal,),
    "eligibility": (_eligibility,),
    # No aspect asked ("thủ tục nhận con", "đăng ký sao ạ"): how it is done, where, how long,
    # what it costs, whether online.
    "info": (_steps, _agency, _time, _fees, _online),
    "overview": (_steps, _agency, _time, _fees, _online),
}


def procedure_answer(record: Record, aspect: Optional[str], lang: str) -> Tuple[str, List[Link]]:
    """The answer text for one aspect of a procedure record, and its links."""
    lines = [label(lang, "about", name=record.get("name", "?"), code=record.get("code", "?"))]
    for section in SECTIONS.get(aspect or "info", SECTIONS["info"]):
        lines.extend(section(record, lang))
    links: List[Link] = []
    if record.get("onlineUrl"):
        links.append({"title": label(lang, "apply_online"), "url": str(record["onlineUrl"])})
    return "\n".join(lines), links
