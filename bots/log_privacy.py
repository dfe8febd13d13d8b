"""Keeps what people write out of the Rasa server's log.

Rasa 3.6 logs some events with the conversation's content as fields: a message that timed out or
failed in the REST channel is logged at ERROR with its ``text``; at DEBUG, parse results, slot
values and events. Rasa's own hook for this (``get_anonymization_pipeline``) is a Rasa Pro plugin,
and registering one would also turn on a tracker re-read per message. Instead, a first processor
in structlog's chain replaces those fields with "[redacted]" before any renderer sees them: the
event name, level and time stay, so a timeout is still visible in the log.

A failure is logged with its traceback, and Rasa's JSON logs (whenever the output is not a
terminal: containers, services) render tracebacks with every frame's local variables, among them
the message's text, the tracker and the slots. The traceback renderer is replaced by the same one
without locals (file, line, function and the exception stay).

Not covered: a few stdlib ``logger.debug`` lines of Rasa (extracted slot candidates, form events)
carry slot values in the message itself; production logs at INFO.

Installed by tracker_store.py (imported by Rasa through endpoints.yml, after Rasa configured
structlog). The processor is added to the chain list in place, so loggers Rasa already used keep
it too.
"""

from typing import Any, Dict

import structlog

REDACTED = "[redacted]"
# The fields Rasa's own anonymizer (rasa.utils.log_utils._anonymizer) treats as conversation
# content, and the tracker fields some debug events carry.
CONTENT_FIELDS = frozenset(
    {
        "text",
        "response_text",
        "user_text",
        "slot_values",
        "parse_data_text",
        "parse_data_entities",
        "prediction_events",
        "tracker_latest_message",
        "prefilled_slots",
        "message",
        "response",
        "slot_candidates",
        "rasa_event",
        "rasa_events",
        "tracker_states",
        "current_states",
        "old_states",
        "successes",
        "current_entity",
        "next_entity",
        "states",
        "entity",
        "token_text",
        "user_message",
        "json_message",
        "events",
        "slots",
        "entities",
    }
)


def redact_content(_logger: Any, _method: str, event_dict: Dict[str, Any]) -> Dict[str, Any]:
    for key in CONTENT_FIELDS.intersection(event_dict):
        event_dict[key] = REDACTED
    return event_dict


TRACEBACKS_WITHOUT_LOCALS = structlog.processors.ExceptionRenderer(
    structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
)


def apply() -> None:
    """Put ``redact_content`` first in structlog's processor chain and render tracebacks without
    locals (once). The chain is changed in place: loggers Rasa already used share it."""
    processors = structlog.get_config()["processors"]
    if redact_content not in processors:
        processors.insert(0, redact_content)
    for position, processor in enumerate(processors):
        if processor is structlog.processors.dict_tracebacks:
            processors[position] = TRACEBACKS_WITHOUT_LOCALS
