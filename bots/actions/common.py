"""Helpers every action shares: the conversation's language and messages with links."""

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.text import detect_lang

LANGS = ("vi", "en")


def lang_of(tracker: Tracker) -> str:
    """The language to answer in: the one the app asked for (message metadata ``lang``), else
    the language of the question itself, else the conversation's so far (the ``lang`` slot),
    else the app's default (``clientLang``: its Accept-Language), else vi."""
    message = tracker.latest_message or {}
    metadata = message.get("metadata") or {}
    requested = metadata.get("lang")
    if requested in LANGS:
        return str(requested)
    text = str(message.get("text") or "")
    detected = detect_lang(text) if not text.startswith("/") else None
    if detected in LANGS:
        return str(detected)
    slot = tracker.get_slot("lang")  # unset until a message's language is known
    if slot in LANGS:
        return str(slot)
    client = metadata.get("clientLang")
    return str(client) if client in LANGS else "vi"


def say(
    dispatcher: CollectingDispatcher,
    text: str,
    *,
    links: Optional[List[Dict[str, str]]] = None,
    buttons: Optional[List[Dict[str, Any]]] = None,
) -> None:
    """One message; links travel as custom JSON, which the API attaches to this message."""
    custom = {"links": links} if links else None
    if custom:
        dispatcher.utter_message(text=text, buttons=buttons or [], json_message=custom)
    else:
        dispatcher.utter_message(text=text, buttons=buttons or [])
