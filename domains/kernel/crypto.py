"""Encryption at rest of the most sensitive free text (reasons for visit, BHYT numbers): AES-GCM
under keys kept outside the database (FIELD_ENCRYPTION_KEYS), each value tagged with the id of
its key so that a rotation (``xuthanh rotate-key``) re-encrypts without downtime: every key
listed still decrypts, the first one encrypts."""

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domains.kernel.resources import Key

PREFIX = "enc1"
_NONCE = 12


class UnknownKey(LookupError):
    """A value was encrypted under a key that is no longer configured."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_keys(text: str) -> tuple[str, dict[str, bytes]]:
    """``"id2:<base64 32 bytes>,id1:<...>"`` → (current id, keys); the first encrypts."""
    keys: dict[str, bytes] = {}
    current = ""
    for part in (p.strip() for p in text.split(",") if p.strip()):
        key_id, _, encoded = part.partition(":")
        raw = _unb64(encoded)
        if not key_id.isalnum() or len(raw) != 32:
            raise ValueError("each key is `<letters or digits>:<base64 of 32 random bytes>`")
        keys[key_id] = raw
        current = current or key_id
    if not keys:
        raise ValueError("no key given")
    return current, keys


def new_key_text(key_id: str) -> str:
    """A fresh ``id:base64`` key (``xuthanh rotate-key --new-key``)."""
    return f"{key_id}:{_b64(os.urandom(32))}"


@dataclass(frozen=True, slots=True)
class FieldCipher:
    current: str
    keys: Mapping[str, bytes]

    def encrypt(self, plain: str, *, field: str) -> str:
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plain.encode(), field.encode())
        return f"{PREFIX}:{self.current}:{_b64(nonce + sealed)}"

    def decrypt(self, stored: str, *, field: str) -> str:
        """The plain text; a value stored before encryption is returned as it is."""
        if not stored.startswith(PREFIX + ":"):
            return stored
        _, key_id, payload = stored.split(":", 2)
        key = self.keys.get(key_id)
        if key is None:
            raise UnknownKey(f"no key {key_id!r} is configured (FIELD_ENCRYPTION_KEYS)")
        raw = _unb64(payload)
        return AESGCM(key).decrypt(raw[:_NONCE], raw[_NONCE:], field.encode()).decode()

    @staticmethod
    def is_encrypted(stored: str) -> bool:
        return stored.startswith(PREFIX + ":")

    def is_current(self, stored: str) -> bool:
        return stored.startswith(f"{PREFIX}:{self.current}:")


FIELD_CIPHER: Key[FieldCipher] = Key("kernel.field-cipher")
