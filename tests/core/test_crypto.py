"""Token encryption at rest: round trip, tamper detection, rotation."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st

from core.crypto import DecryptionError, TokenCipher

KEY = Fernet.generate_key().decode()


@given(st.text(max_size=500))
def test_round_trip(secret):
    cipher = TokenCipher([KEY])
    assert cipher.decrypt(cipher.encrypt(secret)) == secret


def test_ciphertext_does_not_contain_the_token():
    token = "shpat_0123456789abcdef"
    assert token not in TokenCipher([KEY]).encrypt(token)


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=255))
def test_any_changed_byte_is_detected(position, flip):
    cipher = TokenCipher([KEY])
    raw = bytearray(base64.urlsafe_b64decode(cipher.encrypt("shpat_secret")))
    raw[position % len(raw)] ^= flip
    with pytest.raises(DecryptionError):
        cipher.decrypt(base64.urlsafe_b64encode(bytes(raw)).decode())


@pytest.mark.parametrize("garbage", ["", "not base64 at all", "gAAAA", "ünïcode"])
def test_garbage_is_a_decryption_error(garbage):
    with pytest.raises(DecryptionError):
        TokenCipher([KEY]).decrypt(garbage)


def test_another_key_cannot_decrypt():
    stored = TokenCipher([KEY]).encrypt("token")
    with pytest.raises(DecryptionError):
        TokenCipher([Fernet.generate_key().decode()]).decrypt(stored)


def test_rotation_moves_secrets_to_the_new_key():
    old = TokenCipher([KEY])
    new_key = Fernet.generate_key().decode()
    during = TokenCipher([new_key, KEY])  # new key first, old still accepted
    stored = old.encrypt("token")

    rotated = during.rotate(stored)

    assert during.decrypt(stored) == "token"
    assert TokenCipher([new_key]).decrypt(rotated) == "token"
    with pytest.raises(DecryptionError):
        old.decrypt(rotated)
