"""A model field that keeps its value encrypted at rest (used for the SIP password).

The customer must be able to read their SIP password back, so it cannot be hashed; it is
encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the keys in FIELD_ENCRYPTION_KEYS.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

logger = logging.getLogger(__name__)


def _fernet_key(secret: str) -> bytes:
    """Accept a ready Fernet key, or derive one from any passphrase."""
    try:
        if len(base64.urlsafe_b64decode(secret.encode())) == 32:
            return secret.encode()
    except ValueError:
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())


@cache
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def cipher() -> MultiFernet:
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS) or (
        "konto-field-encryption:" + settings.SECRET_KEY,
    )
    return _cipher(keys)


class StoredToken(str):
    """A value as it is stored (a Fernet token), passed through to the database unchanged.

    Reading a value that none of FIELD_ENCRYPTION_KEYS decrypts (a key removed or mixed up)
    gives one of these: it reads as "" so pages still work, `is_unreadable()` tells, and
    saving the object writes the token back as it was, so the secret is never overwritten by
    a save that did not mean to change it. Key rotation writes re-encrypted tokens with it.
    """

    token: str

    def __new__(cls, token: str) -> StoredToken:
        value = super().__new__(cls, "")
        value.token = token
        return value


def is_unreadable(value: object) -> bool:
    """Whether an encrypted field's value could not be decrypted (see StoredToken)."""
    return isinstance(value, StoredToken)


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; reads give back the plain text."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return cipher().decrypt(value.encode()).decode()
        except InvalidToken:
            # Wrong or rotated-away key: say so loudly, and keep the token (StoredToken).
            logger.error(
                "Cannot decrypt a value of %s with FIELD_ENCRYPTION_KEYS: it is kept as stored; "
                "restore the key that encrypted it",
                self,
            )
            return StoredToken(value)

    def get_prep_value(self, value):
        if isinstance(value, StoredToken):
            return value.token
        value = super().get_prep_value(value)
        if not value:
            return value
        return cipher().encrypt(value.encode()).decode()


def reencrypt(token: str) -> str:
    """The token encrypted again under the newest key (InvalidToken when no key opens it)."""
    return cipher().rotate(token.encode()).decode()
