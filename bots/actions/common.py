"""Helpers every action shares: the conversation's language and messages with links."""

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

LANGS = ("vi", "en")


def lang_of(tracker: Tracker) -> str:
    """The language the API asked for with this message (metadata), else the slot, else vi."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    requested = metadata.get("lang")
    if requested in LANGS:
        return str(requested)
    slot = tracker.get_slot("lang")
    return str(slot) if slot in LANGS else "vi"


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
