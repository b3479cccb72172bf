"""Personal data at rest: AES-256-GCM encryption and a keyed hash for exact lookups.

Ciphertexts are ``v1.<base64(nonce | ciphertext+tag)>``. The keyed hash
(HMAC-SHA256 over the normalised value) lets staff find a resident by ID number
or mobile without a LIKE over plaintext and without storing it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator


class PiiCipher:
    def __init__(self, key_b64: str, hash_key_b64: str) -> None:
        key = base64.b64decode(key_b64)
        if len(key) != 32:
            raise ValueError("ONETHING_PII_KEY must be 32 bytes, base64-encoded")
        self._aead = AESGCM(key)
        self._hash_key = base64.b64decode(hash_key_b64)

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), b"onething-pii")
        return "v1." + base64.b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, token: str) -> str:
        version, _, body = token.partition(".")
        if version != "v1":
            raise ValueError("unknown PII ciphertext version")
        raw = base64.b64decode(body)
        return self._aead.decrypt(raw[:12], raw[12:], b"onething-pii").decode("utf-8")

    def lookup_hash(self, value: str) -> str:
        normalised = value.strip().upper()
        return hmac.new(self._hash_key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


_cipher: PiiCipher | None = None


def configure(key_b64: str, hash_key_b64: str) -> None:
    global _cipher
    _cipher = PiiCipher(key_b64, hash_key_b64)


def cipher() -> PiiCipher:
    if _cipher is None:
        raise RuntimeError("PII cipher not configured; create_app configures it")
    return _cipher


def lookup_hash(value: str) -> str:
    return cipher().lookup_hash(value)


class Encrypted(TypeDecorator[str]):
    """A string column stored encrypted; reads give the plaintext back."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else cipher().encrypt(str(value))

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else cipher().decrypt(value)


# --- Documents: each file under its own key, that key sealed by the PII cipher ------------------

def seal_document(content: bytes, bound_to: str) -> tuple[str, bytes]:
    """``(wrapped key, ciphertext)`` of ``content``: a fresh AES-256-GCM key per document (so a
    document's key can be destroyed alone), bound to ``bound_to`` (its storage key) as associated
    data, and wrapped by the PII cipher for the database row."""
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, content, bound_to.encode())
    return cipher().encrypt(base64.b64encode(key).decode("ascii")), nonce + sealed


def open_document(wrapped_key: str, blob: bytes, bound_to: str) -> bytes:
    """The plaintext of a document sealed by :func:`seal_document` (raises if it was tampered with)."""
    key = base64.b64decode(cipher().decrypt(wrapped_key))
    return AESGCM(key).decrypt(blob[:12], blob[12:], bound_to.encode())
