"""Secrets at rest (TOTP seeds; later OAuth client secrets, webhook keys), encrypted with a rotating key ring.

``RAPPORT_ENCRYPTION_KEYS`` is a JSON list of Fernet keys, newest first: new ciphertexts use the first and
any of them decrypts; ``rapport keys rotate`` re-encrypts stored values with the first, so old keys can go.
Without it, one key is derived from ``RAPPORT_SECRET_KEY`` (HKDF-SHA256), which suits one-machine installs.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from rapport.kernel.settings import Settings

__all__ = ["KeyRing", "KeyRingError", "generate_key"]


class KeyRingError(Exception):
    """A value could not be decrypted with any key of the ring."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


def _derived(secret_key: str) -> bytes:
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"rapport-keyring-v1", info=b"secrets at rest")
    return base64.urlsafe_b64encode(kdf.derive(secret_key.encode()))


class KeyRing:
    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        keys = [key.get_secret_value().encode() for key in settings.encryption_keys]
        return cls(keys or [_derived(settings.secret_key.get_secret_value())])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise KeyRingError("no key of the ring decrypts this value") from None

    def rotate(self, token: str) -> str:
        """The same plaintext, encrypted with the newest key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise KeyRingError("no key of the ring decrypts this value") from None
