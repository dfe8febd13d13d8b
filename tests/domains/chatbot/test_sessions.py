"""Sender ids: hashed for users, server-issued and signed for anonymous visitors."""

from domains.chatbot.sessions import conversation_for, issue_session_id, verify_session_id
from domains.kernel.auth import ANONYMOUS, Principal, Role

SECRET = b"s" * 32
OTHER_SECRET = b"o" * 32


def test_a_signed_in_user_is_known_by_a_keyed_hash_not_the_uid() -> None:
    user = Principal(uid="firebase-uid-123", roles=frozenset({Role.CITIZEN}))
    conversation = conversation_for(user, None, SECRET)
    assert "firebase-uid-123" not in conversation.sender_id
    assert conversation.session_id is None
    # Stable for the same user, whatever session id the client sends.
    assert conversation_for(user, "forged.session", SECRET).sender_id == conversation.sender_id
    other = Principal(uid="firebase-uid-456", roles=frozenset({Role.CITIZEN}))
    assert conversation_for(other, None, SECRET).sender_id != conversation.sender_id


def test_an_anonymous_visitor_keeps_a_server_issued_session() -> None:
    first = conversation_for(ANONYMOUS, None, SECRET)
    assert first.session_id is not None
    again = conversation_for(ANONYMOUS, first.session_id, SECRET)
    assert again == first


def test_client_chosen_or_tampered_session_ids_get_a_fresh_session() -> None:
    issued = issue_session_id(SECRET)
    nonce, _, tag = issued.partition(".")
    # The tag's last two characters changed (never to what they were: 1 tag in 4,096 ends "AA").
    tampered = tag[:-2] + ("BB" if tag.endswith("AA") else "AA")
    for forged in ("alice", "u-abc", f"{nonce}.{tampered}", f"{nonce}x.{tag}", issued + "."):
        conversation = conversation_for(ANONYMOUS, forged, SECRET)
        assert conversation.session_id != forged
        assert verify_session_id(SECRET, conversation.session_id or "") is not None
    # A session id signed with another secret (another deployment) is not accepted either.
    assert verify_session_id(OTHER_SECRET, issued) is None
