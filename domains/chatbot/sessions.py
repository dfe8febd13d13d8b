"""Who a conversation belongs to, as Rasa sees it.

Rasa keys its tracker by a sender id. A signed-in user's sender id is a keyed hash of the uid
(the tracker store never holds the uid). An anonymous visitor gets a session id issued and
signed by the server; a client cannot pick its own, nor guess another visitor's.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from domains.kernel.auth import Principal

_NONCE_BYTES = 16
_TAG_BYTES = 16


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, purpose: str, value: str) -> bytes:
    return hmac.new(secret, f"{purpose}:{value}".encode(), hashlib.sha256).digest()


@dataclass(frozen=True, slots=True)
class Conversation:
    sender_id: str
    # Returned to anonymous clients to send with their next message; None for signed-in users.
    session_id: str | None


def issue_session_id(secret: bytes) -> str:
    nonce = _b64(secrets.token_bytes(_NONCE_BYTES))
    tag = _b64(_mac(secret, "chat-session", nonce)[:_TAG_BYTES])
    return f"{nonce}.{tag}"


def verify_session_id(secret: bytes, session_id: str) -> str | None:
    """The nonce of a session id this server issued, or None for anything else."""
    nonce, dot, tag = session_id.partition(".")
    if not dot or not nonce or len(session_id) > 100:
        return None
    try:
        given = _unb64(tag)
        _unb64(nonce)
    except ValueError:
        return None
    expected = _mac(secret, "chat-session", nonce)[:_TAG_BYTES]
    return nonce if hmac.compare_digest(given, expected) else None


def conversation_for(principal: Principal, session_id: str | None, secret: bytes) -> Conversation:
    """The sender id for Rasa, and the session id the client should keep (anonymous only)."""
    if principal.uid is not None:
        digest = _mac(secret, "chat-user", principal.uid).hex()[:32]
        return Conversation(sender_id=f"u-{digest}", session_id=None)
    nonce = verify_session_id(secret, session_id) if session_id else None
    if nonce is None:
        session_id = issue_session_id(secret)
        nonce = session_id.partition(".")[0]
    digest = _mac(secret, "chat-anonymous", nonce).hex()[:32]
    return Conversation(sender_id=f"a-{digest}", session_id=session_id)
