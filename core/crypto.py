"""Encryption at rest for merchants' credentials (access and refresh tokens).

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) rather than anything
hand-rolled: it authenticates, so a tampered ciphertext fails loudly instead of
decrypting to garbage. MultiFernet gives rotation: CARTPATH_ENCRYPTION_KEY lists
the new key first and the old ones after; `rotate` re-encrypts under the new key.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class DecryptionError(Exception):
    """A stored secret failed authentication: tampered, truncated or from an unknown key."""


class TokenCipher:
    """Encrypts and decrypts short secrets with the configured keys."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        """:raises DecryptionError: when the ciphertext does not authenticate."""
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode()
        except (InvalidToken, UnicodeError) as error:
            raise DecryptionError("stored secret failed authentication") from error

    def rotate(self, ciphertext: str) -> str:
        """The same secret, re-encrypted under the first (newest) key."""
        try:
            return self._fernet.rotate(ciphertext.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError) as error:
            raise DecryptionError("stored secret failed authentication") from error
