"""Shopify's signatures, checked against the vectors in Shopify's own libraries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from platforms.errors import (
    InvalidHmacError,
    InvalidSessionTokenError,
    InvalidShopError,
    StaleRequestError,
)
from platforms.shopify.verify import (
    decode_session_token,
    query_hmac,
    validate_shop_domain,
    verify_query,
    verify_webhook,
    webhook_hmac,
)

# PLATFORMS.md section A: vectors from Shopify's documentation and shopify_python_api's tests.
VECTORS = [
    (
        {
            "code": "0907a61c0c8d55e99db179b68161bc00",
            "shop": "some-shop.myshopify.com",
            "state": "0.6784241404160823",
            "timestamp": "1337178173",
        },
        "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf",
    ),
    (
        {
            "code": "0907a61c0c8d55e99db179b68161bc00",
            "shop": "some-shop.myshopify.com",
            "timestamp": "1337178173",
        },
        "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20",
    ),
    (
        {
            "shop": "some-shop.myshopify.com",
            "code": "a94a110d86d2452eb3e2af4cfb8a3828",
            "timestamp": "1337178173",
        },
        "2cb1a277650a659f1b11e92a4a64275b128e037f2c3390e3c8fd2d8721dac9e2",
    ),
]
SECRET = "app-secret-" + "s" * 32
API_KEY = "app-api-key"


@pytest.mark.parametrize(("params", "expected"), VECTORS)
def test_query_hmac_matches_shopify_s_published_vectors(params, expected):
    assert query_hmac(params, secret="hush") == expected
    assert query_hmac({**params, "hmac": expected}, secret="hush") == expected


def test_delimiters_are_escaped_so_they_cannot_be_forged():
    # shopify_python_api test_hmac_calculation_with_ampersand_and_equal_sign_characters
    expected = hmac.new(b"secret", b"a=1%26b=2&c%3D3%26d=4", hashlib.sha256).hexdigest()
    assert query_hmac({"a": "1&b=2", "c=3&d": "4"}, secret="secret") == expected


def test_array_parameters_sign_as_a_json_list():
    expected = hmac.new(
        b"secret", b'ids=["2", "1"]&shop=a.myshopify.com', hashlib.sha256
    ).hexdigest()
    assert query_hmac({"ids[]": ["2", "1"], "shop": "a.myshopify.com"}, secret="secret") == expected


def _signed(now: float, **params: str) -> dict[str, str]:
    params = {"shop": "a-shop.myshopify.com", "timestamp": str(int(now)), **params}
    return {**params, "hmac": query_hmac(params, secret=SECRET)}


def test_a_fresh_signed_query_verifies():
    now = time.time()
    verify_query(
        _signed(now, host="YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYS1zaG9w"), secret=SECRET, now=now
    )


@given(st.sampled_from(["shop", "timestamp", "code"]), st.text(min_size=1, max_size=20))
def test_any_changed_parameter_breaks_the_hmac(name, value):
    now = time.time()
    params = _signed(now, code="abc")
    if params[name] == value:
        return
    with pytest.raises(InvalidHmacError):
        verify_query({**params, name: value}, secret=SECRET, now=now)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda p: {k: v for k, v in p.items() if k != "hmac"}, InvalidHmacError),
        (lambda p: {**p, "hmac": ""}, InvalidHmacError),
        (lambda p: {**p, "hmac": "0" * 64}, InvalidHmacError),
        (lambda p: {**p, "extra": "1"}, InvalidHmacError),
    ],
)
def test_missing_or_tampered_hmac_is_refused(change, error):
    now = time.time()
    with pytest.raises(error):
        verify_query(change(_signed(now)), secret=SECRET, now=now)


@pytest.mark.parametrize("age", [91, -91, 86400])
def test_stale_or_future_timestamps_are_refused(age):
    now = time.time()
    with pytest.raises(StaleRequestError):
        verify_query(_signed(now - age), secret=SECRET, now=now)


def test_a_signed_query_without_timestamp_is_refused():
    params = {"shop": "a-shop.myshopify.com"}
    params["hmac"] = query_hmac(params, secret=SECRET)
    with pytest.raises(StaleRequestError):
        verify_query(params, secret=SECRET, now=time.time())


def test_webhook_hmac_is_base64_of_the_raw_body():
    body = b'{"id":820982911946154508,"email":"jon@example.com"}'
    expected = base64.b64encode(hmac.new(b"hush", body, hashlib.sha256).digest()).decode()
    assert webhook_hmac(body, secret="hush") == expected
    verify_webhook(body=body, header=expected, secret="hush")


@given(st.binary(min_size=1, max_size=200), st.integers(min_value=0), st.integers(1, 255))
def test_a_webhook_body_changed_by_one_byte_is_refused(body, position, flip):
    header = webhook_hmac(body, secret=SECRET)
    changed = bytearray(body)
    changed[position % len(body)] ^= flip
    with pytest.raises(InvalidHmacError):
        verify_webhook(body=bytes(changed), header=header, secret=SECRET)


@pytest.mark.parametrize("header", [None, "", "not-base64", webhook_hmac(b"x", secret="other")])
def test_missing_or_wrong_webhook_signatures_are_refused(header):
    with pytest.raises(InvalidHmacError):
        verify_webhook(body=b"x", header=header, secret=SECRET)


@pytest.mark.parametrize(
    "shop", ["a-shop.myshopify.com", "A-Shop.MyShopify.com ", "x1.myshopify.com"]
)
def test_shop_domains_are_canonical(shop):
    assert validate_shop_domain(shop) == shop.strip().lower()


@pytest.mark.parametrize(
    "shop",
    [
        "evil.com",
        "shop.myshopify.com.evil.com",
        "shop.myshopify.io",
        "a.myshopify.com/../x",
        "https://a.myshopify.com",
        "-a.myshopify.com",
        "a_b.myshopify.com",
        ".myshopify.com",
        "a.myshopify.com@evil.com",
        "",
        None,
        "a.myshopify.com\n",
    ],
)
def test_anything_else_is_not_a_shop(shop):
    if shop == "a.myshopify.com\n":  # trailing whitespace is trimmed; a newline inside is not
        shop = "a.my\nshopify.com"
    with pytest.raises(InvalidShopError):
        validate_shop_domain(shop)


def _token(now: float, secret: str = SECRET, algorithm: str = "HS256", **claims) -> str:
    payload = {
        "iss": "https://a-shop.myshopify.com/admin",
        "dest": "https://a-shop.myshopify.com",
        "aud": API_KEY,
        "sub": "42",
        "exp": int(now) + 60,
        "nbf": int(now) - 1,
        "iat": int(now),
        "jti": str(uuid.uuid4()),
        "sid": "session-1",
        **claims,
    }
    payload = {key: value for key, value in payload.items() if value is not None}
    return jwt.encode(payload, secret, algorithm=algorithm)


def test_a_valid_session_token_names_its_shop_and_user():
    now = time.time()
    token = decode_session_token(_token(now), api_key=API_KEY, secret=SECRET, now=now)
    assert (token.shop, token.user_id, token.session_id) == (
        "a-shop.myshopify.com",
        "42",
        "session-1",
    )


def test_clock_skew_within_ten_seconds_is_tolerated():
    now = time.time()
    decode_session_token(_token(now, nbf=int(now) + 9), api_key=API_KEY, secret=SECRET, now=now)
    decode_session_token(_token(now, exp=int(now) - 9), api_key=API_KEY, secret=SECRET, now=now)


@pytest.mark.parametrize(
    "make",
    [
        lambda now: _token(now, exp=int(now) - 11),
        lambda now: _token(now, nbf=int(now) + 11),
        lambda now: _token(now, secret="another-secret-" + "x" * 32),
        lambda now: _token(now, aud="another-app"),
        lambda now: _token(now, exp=None),
        lambda now: _token(now, sid=None),
        lambda now: _token(now, iss="https://evil.com/admin"),
        lambda now: _token(now, dest="https://b-shop.myshopify.com"),
        lambda now: _token(now, algorithm="HS512"),
        lambda now: jwt.encode(
            {
                "iss": "https://a-shop.myshopify.com/admin",
                "dest": "https://a-shop.myshopify.com",
                "aud": API_KEY,
                "sub": "42",
                "exp": int(now) + 60,
                "nbf": int(now),
                "jti": "j",
                "sid": "s",
            },
            None,
            algorithm="none",
        ),
        lambda now: "not.a.token",
        lambda now: "",
    ],
    ids=[
        "expired",
        "not-yet-valid",
        "other-secret",
        "other-app",
        "no-exp",
        "no-sid",
        "foreign-iss",
        "iss-dest-differ",
        "hs512",
        "alg-none",
        "garbage",
        "empty",
    ],
)
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS512 test token
def test_bad_session_tokens_are_refused(make):
    now = time.time()
    with pytest.raises(InvalidSessionTokenError):
        decode_session_token(make(now), api_key=API_KEY, secret=SECRET, now=now)
