"""A model field that keeps its value encrypted at rest (used for the SIP password), and the
length limit of a model's text field for the code that checks values before saving them.

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
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)


def max_length(model: type[models.Model], name: str) -> int:
    """The `max_length` of the model's field `name`, which must be a text field that has one."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.max_length is None:
        raise TypeError(f"{model.__name__}.{name} has no max_length")
    return field.max_length


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

    def from_db_value(
        self, value: str | None, expression: object, connection: BaseDatabaseWrapper
    ) -> str | None:
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

    def get_prep_value(self, value: object) -> str | None:
        if isinstance(value, StoredToken):
            return value.token
        text: str | None = super().get_prep_value(value)  # TextField's: a str or None
        if not text:
            return text
        return cipher().encrypt(text.encode()).decode()


def reencrypt(token: str) -> str:
    """The token encrypted again under the newest key (InvalidToken when no key opens it)."""
    return cipher().rotate(token.encode()).decode()
