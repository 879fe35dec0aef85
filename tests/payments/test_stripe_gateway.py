"""The Stripe gateway against the sandbox's Stripe emulator, over HTTP with the real
`stripe` library: success, each decline, 3-D Secure, saved cards, idempotency."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest
import requests

from core.money import Money
from payments.gateway import ChargeStatus
from payments.stripe import GENERIC_DECLINE, StripeGateway
from sandbox.demo_credentials import STRIPE_PUBLISHABLE_KEY, STRIPE_SECRET_KEY
from tests.payments.cards import intents, tokenize

AMOUNT = Money.of("42.50", "USD")


@pytest.fixture
def gateway(sandbox) -> StripeGateway:
    return StripeGateway(
        secret_key=STRIPE_SECRET_KEY,
        publishable_key=STRIPE_PUBLISHABLE_KEY,
        api_base=f"{sandbox.url}/stripe",
    )


def charge(gateway: StripeGateway, payment_method: str, *, key: str | None = None, **changes):
    arguments = {
        "amount": AMOUNT,
        "payment_method": payment_method,
        "customer": None,
        "idempotency_key": key or f"test-{secrets.token_hex(8)}",
        "save_for_later": False,
        "return_url": "http://127.0.0.1:9/return",
        "description": "Order at the test shop",
        "metadata": {"cartpath_checkout": "1"},
    }
    return gateway.charge(**{**arguments, **changes})


def test_a_good_card_is_charged_the_amount_to_the_cent(sandbox, gateway):
    result = charge(gateway, tokenize(sandbox, "4242424242424242"))

    assert result.status is ChargeStatus.SUCCEEDED
    assert result.amount == AMOUNT
    (intent,) = intents(sandbox)
    assert intent["id"] == result.intent_id
    assert intent["amount_received"] == 4250
    assert intent["currency"] == "usd"


@pytest.mark.parametrize(
    ("number", "code", "says"),
    [
        ("4000000000000002", "generic_decline", GENERIC_DECLINE),
        ("4000000000009995", "insufficient_funds", "insufficient funds"),
        ("4000000000000069", "expired_card", "expired"),
        ("4000000000000127", "incorrect_cvc", "security code"),
        ("4000000000009979", "stolen_card", GENERIC_DECLINE),
    ],
)
def test_declines_carry_the_code_and_a_sentence_for_the_shopper(
    sandbox, gateway, number, code, says
):
    result = charge(gateway, tokenize(sandbox, number))

    assert result.status is ChargeStatus.DECLINED
    assert result.decline_code == code
    assert says in result.message
    assert "stolen" not in result.message, "the shopper is not told a card looks stolen"
    assert result.intent_id == intents(sandbox)[0]["id"]


def test_3d_secure_sends_the_shopper_to_the_bank_and_retrieve_sees_the_outcome(sandbox, gateway):
    result = charge(gateway, tokenize(sandbox, "4000002760003184"))

    assert result.status is ChargeStatus.REQUIRES_ACTION
    assert result.action_url == f"{sandbox.url}/stripe/3ds/{result.intent_id}"
    answer = requests.post(
        result.action_url, data={"outcome": "complete"}, allow_redirects=False, timeout=10
    )
    assert answer.headers["Location"].startswith("http://127.0.0.1:9/return?")
    assert gateway.retrieve(result.intent_id).status is ChargeStatus.SUCCEEDED


def test_failed_authentication_is_a_decline(sandbox, gateway):
    result = charge(gateway, tokenize(sandbox, "4000002760003184"))
    requests.post(result.action_url, data={"outcome": "fail"}, allow_redirects=False, timeout=10)

    after = gateway.retrieve(result.intent_id)
    assert after.status is ChargeStatus.DECLINED
    assert after.decline_code == "payment_intent_authentication_failure"


def test_cancel_closes_a_charge_waiting_for_authentication(sandbox, gateway):
    result = charge(gateway, tokenize(sandbox, "4000002760003184"))

    cancelled = gateway.cancel(result.intent_id)
    requests.post(
        result.action_url, data={"outcome": "complete"}, allow_redirects=False, timeout=10
    )

    assert cancelled.status is ChargeStatus.DECLINED
    assert intents(sandbox)[0]["status"] == "canceled", "authenticating later cannot pay it"


def test_the_same_key_twice_is_one_charge(sandbox, gateway):
    card = tokenize(sandbox, "4242424242424242")
    first = charge(gateway, card, key="checkout-abc", save_for_later=True)
    second = charge(gateway, card, key="checkout-abc", save_for_later=True)

    assert first == second
    assert len(intents(sandbox)) == 1
    assert first.customer is not None, "a saved card belongs to a customer"


def test_a_saved_card_pays_again_with_a_new_key_for_a_one_click_upsell(sandbox, gateway):
    first = charge(gateway, tokenize(sandbox, "4242424242424242"), save_for_later=True)

    upsell = charge(
        gateway,
        first.payment_method,
        customer=first.customer,
        amount=Money.of(Decimal("9.99"), "USD"),
    )

    assert upsell.status is ChargeStatus.SUCCEEDED
    assert upsell.intent_id != first.intent_id
    assert [i["amount_received"] for i in intents(sandbox)] == [4250, 999]


def test_the_sandbox_fields_are_served_by_the_sandbox(sandbox, gateway):
    fields = gateway.browser_fields()

    assert fields.global_name == "CartpathSandbox"
    assert requests.get(fields.script_url, timeout=10).status_code == 200
    assert fields.frame_origins == (sandbox.url,)


def test_production_uses_stripe_js_and_its_csp_origins():
    fields = StripeGateway(
        secret_key="sk_live_x", publishable_key="pk_live_x", api_base="https://api.stripe.com"
    ).browser_fields()

    assert (fields.script_url, fields.global_name) == ("https://js.stripe.com/v3/", "Stripe")
    assert "https://hooks.stripe.com" in fields.frame_origins
