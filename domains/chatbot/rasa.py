"""The Rasa server's REST channel: one POST per user message, with a hard timeout."""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx

from domains.kernel.resources import Key, Resources


class RasaUnavailable(Exception):
    """Rasa is down, slow or answered something unusable: the caller degrades gracefully."""


@dataclass(slots=True)
class Button:
    title: str
    payload: str


@dataclass(slots=True)
class Link:
    title: str
    url: str


@dataclass(slots=True)
class BotMessage:
    text: str
    buttons: list[Button] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def _is_web_url(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def parse_reply(items: Any) -> list[BotMessage]:
    """Rasa's REST output as messages: custom ``links`` attach to the message before them."""
    if not isinstance(items, list):
        raise RasaUnavailable("unexpected reply shape")
    messages: list[BotMessage] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        if isinstance(text, str):
            buttons = [
                Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
                for b in item.get("buttons") or []
                if isinstance(b, dict)
            ]
            messages.append(BotMessage(text=text, buttons=buttons))
        custom = item.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("links"), list):
            links = [
                Link(title=str(link.get("title", "")), url=str(link["url"]))
                for link in custom["links"]
                if isinstance(link, dict) and _is_web_url(str(link.get("url", "")))
            ]
            if not messages:
                messages.append(BotMessage(text=""))
            messages[-1].links.extend(links)
    return messages


RASA_HTTP: Key[httpx.AsyncClient] = Key("chatbot.rasa_http")


def provide_rasa_http(resources: Resources) -> None:
    """One HTTP client per process for the relay: making one per message cost about 20 ms of
    CPU (httpx builds its TLS context each time) and a new connection to Rasa."""
    client = httpx.AsyncClient()
    resources.provide(RASA_HTTP, client)
    resources.on_close(client.aclose)


async def send_to_rasa(
    *,
    http: httpx.AsyncClient,
    base_url: str,
    sender_id: str,
    text: str,
    lang: str | None,
    timeout_seconds: float,
    client_lang: str | None = None,
) -> list[BotMessage]:
    """The assistant's reply to ``text``; RasaUnavailable when it does not come in time.

    ``lang``: the language the app asked for (None: answer in the question's language);
    ``client_lang``: the request's language, used when the question's words cannot tell.
    """
    url = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
    metadata = {"lang": lang, "clientLang": client_lang or lang}
    body = {"sender": sender_id, "message": text, "metadata": metadata}
    try:
        response = await http.post(url, json=body, timeout=timeout_seconds)
    except httpx.HTTPError as error:
        raise RasaUnavailable(type(error).__name__) from error
    if response.status_code != 200:
        raise RasaUnavailable(f"HTTP {response.status_code}")
    try:
        payload = response.json()
    except ValueError as error:
        raise RasaUnavailable("invalid JSON") from error
    return parse_reply(payload)
