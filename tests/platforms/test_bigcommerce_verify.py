"""BigCommerce's signatures: signed_payload_jwt and Standard Webhooks."""

from __future__ import annotations

import base64
import time

import jwt
import pytest
from bigcommerce.api import BigcommerceApi
from hypothesis import given
from hypothesis import strategies as st

from platforms.bigcommerce.verify import (
    decode_signed_payload_jwt,
    standard_webhook_signature,
    store_hash_from_context,
    verify_shared_secret,
    verify_standard_webhook,
)
from platforms.errors import (
    InvalidHmacError,
    InvalidShopError,
    InvalidSignedPayloadError,
    StaleRequestError,
)

CLIENT_ID = "bc-client-id"
SECRET = "bc-client-secret-" + "z" * 32


def _jwt(now: float, secret: str = SECRET, **claims) -> str:
    payload = {
        "aud": CLIENT_ID,
        "iss": "bc",
        "iat": int(now),
        "nbf": int(now),
        "exp": int(now) + 86400,
        "jti": "j-1",
        "sub": "stores/abc123",
        "user": {"id": 9, "email": "staff@example.com", "locale": "en"},
        "owner": {"id": 7, "email": "owner@example.com"},
        "url": "/",
        "channel_id": 1,
        **claims,
    }
    return jwt.encode(
        {k: v for k, v in payload.items() if v is not None}, secret, algorithm="HS256"
    )


def test_a_valid_load_names_store_user_and_owner():
    now = time.time()
    token = _jwt(now)
    load = decode_signed_payload_jwt(token, client_id=CLIENT_ID, secret=SECRET, now=now)

    assert (load.store_hash, load.user_id, load.owner_id) == ("abc123", "9", "7")
    assert load.user_email == "staff@example.com"
    # The official client agrees that the token verifies.
    assert BigcommerceApi.oauth_verify_payload_jwt(token, SECRET, CLIENT_ID)["sub"] == (
        "stores/abc123"
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda now: _jwt(now, secret="other-secret-" + "q" * 32),
        lambda now: _jwt(now, aud="another-client"),
        lambda now: _jwt(now, exp=int(now) - 1),
        lambda now: _jwt(now, exp=None),
        lambda now: _jwt(now, sub=None),
        lambda now: _jwt(now, sub="stores/../x"),
        lambda now: _jwt(now, sub="users/5"),
        lambda now: _jwt(now, user=None),
        lambda now: _jwt(now, user="nobody"),
        lambda now: "a.b.c",
        lambda now: None,
    ],
    ids=[
        "other-secret",
        "other-client",
        "expired",
        "no-exp",
        "no-sub",
        "bad-hash",
        "not-store",
        "no-user",
        "bad-user",
        "garbage",
        "missing",
    ],
)
def test_bad_signed_payloads_are_refused(make):
    now = time.time()
    with pytest.raises(InvalidSignedPayloadError):
        decode_signed_payload_jwt(make(now), client_id=CLIENT_ID, secret=SECRET, now=now)


@pytest.mark.parametrize("context", ["stores/", "store/abc", "stores/ABC", "abc123", None])
def test_contexts_must_name_a_store(context):
    with pytest.raises(InvalidShopError):
        store_hash_from_context(context)


def test_standard_webhooks_published_vector():
    # standard-webhooks libraries' test vector (secret is base64 after the whsec_ prefix).
    key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    signature = standard_webhook_signature(
        key=key,
        message_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp="1614265330",
        body=b'{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def _headers(body: bytes, now: float, key: bytes = SECRET.encode()) -> dict[str, str]:
    timestamp = str(int(now))
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": timestamp,
        "webhook-signature": standard_webhook_signature(
            key=key, message_id="msg_1", timestamp=timestamp, body=body
        ),
    }


def test_a_signed_delivery_verifies_even_among_several_signatures():
    now, body = time.time(), b'{"scope":"store/order/created"}'
    headers = _headers(body, now)
    headers["webhook-signature"] = "v1,bm90LWl0 " + headers["webhook-signature"]
    assert verify_standard_webhook(body=body, headers=headers, key=SECRET.encode(), now=now) == (
        "msg_1"
    )


@given(st.binary(min_size=1, max_size=100), st.integers(min_value=0), st.integers(1, 255))
def test_a_body_changed_by_one_byte_is_refused(body, position, flip):
    now = time.time()
    headers = _headers(body, now)
    changed = bytearray(body)
    changed[position % len(body)] ^= flip
    with pytest.raises(InvalidHmacError):
        verify_standard_webhook(body=bytes(changed), headers=headers, key=SECRET.encode(), now=now)


def test_replays_outside_five_minutes_are_refused():
    now, body = time.time(), b"{}"
    with pytest.raises(StaleRequestError):
        verify_standard_webhook(
            body=body, headers=_headers(body, now - 301), key=SECRET.encode(), now=now
        )


@pytest.mark.parametrize("drop", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_signature_headers_are_refused(drop):
    now, body = time.time(), b"{}"
    headers = {k: v for k, v in _headers(body, now).items() if k != drop}
    with pytest.raises(InvalidHmacError):
        verify_standard_webhook(body=body, headers=headers, key=SECRET.encode(), now=now)


def test_the_shared_secret_header_must_match():
    verify_shared_secret(given="s3cret", expected="s3cret")
    for wrong in (None, "", "s3cre", "s3cret "):
        with pytest.raises(InvalidHmacError):
            verify_shared_secret(given=wrong, expected="s3cret")
