"""PaymentIntents, Charges and Refunds through the real `stripe` package: the status
machine, every documented test card, 3-D Secure and refunds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import stripe

from sandbox.demo_credentials import STRIPE_SECRET_KEY


@pytest.fixture
def client(sandbox) -> stripe.StripeClient:
    return stripe.StripeClient(STRIPE_SECRET_KEY, base_addresses={"api": f"{sandbox.url}/stripe"})


def card(client: stripe.StripeClient, number: str) -> str:
    """A PaymentMethod as the card fields would create it."""
    pm = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"},
        }
    )
    return pm.id


def pay(client: stripe.StripeClient, pm: str, **params) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(
        params={"amount": 2500, "currency": "usd", "payment_method": pm, "confirm": True, **params}
    )


# --- the status machine -----------------------------------------------------------------


def test_create_then_confirm_goes_through_documented_statuses(client):
    created = client.v1.payment_intents.create(
        params={"amount": 1999, "currency": "usd", "metadata": {"checkout": "c-1"}}
    )
    pm = card(client, "4242424242424242")
    confirmed = client.v1.payment_intents.confirm(
        created.id, params={"payment_method": pm, "expand": ["latest_charge"]}
    )

    assert created.status == "requires_payment_method"
    assert created.client_secret.startswith(f"{created.id}_secret_")
    assert confirmed.status == "succeeded"
    assert confirmed.amount_received == 1999
    charge = confirmed.latest_charge
    assert charge.object == "charge"
    assert charge.status == "succeeded"
    assert charge.captured is True
    assert charge.paid is True
    assert charge.amount == charge.amount_captured == 1999
    assert charge.payment_intent == created.id
    assert charge.metadata.to_dict() == {"checkout": "c-1"}
    assert charge.payment_method_details.card.last4 == "4242"


def test_a_payment_method_without_confirm_waits_in_requires_confirmation(client):
    intent = client.v1.payment_intents.create(
        params={"amount": 500, "currency": "eur", "payment_method": "pm_card_visa"}
    )

    confirmed = client.v1.payment_intents.confirm(intent.id)
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.payment_intents.confirm(intent.id)

    assert intent.status == "requires_confirmation"
    assert confirmed.status == "succeeded"
    assert again.value.code == "payment_intent_unexpected_state"
    assert again.value.json_body["error"]["payment_intent"]["status"] == "succeeded"


def test_update_before_payment_then_only_metadata_after(client):
    intent = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd"})

    updated = client.v1.payment_intents.update(
        intent.id, params={"amount": 1500, "payment_method": "pm_card_visa"}
    )
    paid = client.v1.payment_intents.confirm(intent.id)
    tagged = client.v1.payment_intents.update(intent.id, params={"metadata": {"order": "1001"}})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.update(intent.id, params={"amount": 900})

    assert updated.status == "requires_confirmation"
    assert updated.amount == 1500
    assert paid.amount_received == 1500
    assert tagged.metadata.to_dict() == {"order": "1001"}
    assert caught.value.code == "payment_intent_unexpected_state"


def test_amounts_below_the_currency_minimum_are_refused(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.create(params={"amount": 49, "currency": "usd"})
    assert caught.value.code == "amount_too_small"


def test_concurrent_payments_each_charge_once(client):
    intents = [
        client.v1.payment_intents.create(
            params={"amount": 700 + n, "currency": "usd", "payment_method": "pm_card_visa"}
        )
        for n in range(12)
    ]

    with ThreadPoolExecutor(max_workers=6) as pool:
        paid = list(pool.map(lambda pi: client.v1.payment_intents.confirm(pi.id), intents))

    assert {pi.status for pi in paid} == {"succeeded"}
    assert len({pi.latest_charge for pi in paid}) == 12
    assert sorted(pi.amount_received for pi in paid) == [700 + n for n in range(12)]


def test_manual_capture_partial_then_refund_the_rest(client):
    intent = pay(client, "pm_card_visa", capture_method="manual")

    captured = client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 2000})
    charge = client.v1.charges.retrieve(captured.latest_charge)
    refund = client.v1.refunds.create(params={"payment_intent": intent.id})
    after = client.v1.charges.retrieve(captured.latest_charge)

    assert intent.status == "requires_capture"
    assert intent.amount_capturable == 2500
    assert captured.status == "succeeded"
    assert captured.amount_received == 2000
    assert captured.amount_capturable == 0
    assert charge.amount_captured == 2000
    assert charge.amount_refunded == 500, "the uncaptured remainder is released"
    assert refund.amount == 2000
    assert after.refunded is True


def test_capture_more_than_authorized_is_refused(client):
    intent = pay(client, "pm_card_visa", capture_method="manual")

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 2501})

    assert caught.value.param == "amount_to_capture"
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_capture"


def test_cancel_releases_an_authorization_and_is_final(client):
    intent = pay(client, "pm_card_visa", capture_method="manual")

    canceled = client.v1.payment_intents.cancel(
        intent.id, params={"cancellation_reason": "abandoned"}
    )
    charge = client.v1.charges.retrieve(intent.latest_charge)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.capture(intent.id)

    assert canceled.status == "canceled"
    assert canceled.cancellation_reason == "abandoned"
    assert canceled.canceled_at is not None
    assert charge.refunded is True
    assert charge.amount_refunded == 2500
    assert caught.value.code == "payment_intent_unexpected_state"


def test_a_succeeded_intent_cannot_be_canceled(client):
    intent = pay(client, "pm_card_visa")

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.cancel(intent.id)

    assert "status of succeeded" in caught.value.user_message


# --- refunds ----------------------------------------------------------------------------


def test_partial_refunds_until_fully_refunded(client):
    intent = pay(client, "pm_card_visa")

    first = client.v1.refunds.create(
        params={"charge": intent.latest_charge, "amount": 1000, "reason": "requested_by_customer"}
    )
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1501})
    second = client.v1.refunds.create(params={"payment_intent": intent.id})
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.refunds.create(params={"payment_intent": intent.id})
    charge = client.v1.charges.retrieve(intent.latest_charge)

    assert first.object == "refund"
    assert first.status == "succeeded"
    assert first.reason == "requested_by_customer"
    assert client.v1.refunds.retrieve(first.id).amount == 1000
    assert too_much.value.code == "amount_too_large"
    assert second.amount == 1500
    assert again.value.code == "charge_already_refunded"
    assert charge.amount_refunded == 2500
    assert charge.refunded is True


# --- test cards -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "code", "decline_code"),
    [
        ("4000000000000002", "card_declined", "generic_decline"),
        ("4000000000009995", "card_declined", "insufficient_funds"),
        ("4000000000000069", "expired_card", "expired_card"),
        ("4000000000000127", "incorrect_cvc", "incorrect_cvc"),
        ("4000000000000119", "processing_error", "processing_error"),
        ("4111111111111111", "card_declined", "test_mode_live_card"),
    ],
)
def test_declining_cards_answer_402_and_leave_the_intent_retryable(
    client, number, code, decline_code
):
    pm = card(client, number)

    with pytest.raises(stripe.CardError) as caught:
        pay(client, pm)

    error = caught.value
    assert error.http_status == 402
    assert error.code == code
    assert error.error.type == "card_error"
    assert error.error.decline_code == decline_code
    intent = error.error.payment_intent
    assert intent.status == "requires_payment_method"
    assert intent.payment_method is None
    assert intent.last_payment_error.decline_code == decline_code
    assert intent.last_payment_error.payment_method.id == pm
    failed = client.v1.charges.retrieve(intent.latest_charge)
    assert failed.status == "failed"
    assert failed.failure_code == code
    assert failed.outcome.type == "issuer_declined"

    retried = client.v1.payment_intents.confirm(
        intent.id, params={"payment_method": "pm_card_visa"}
    )
    assert retried.status == "succeeded"


@pytest.mark.parametrize(
    ("test_id", "decline_code"),
    [
        ("pm_card_chargeDeclined", "generic_decline"),
        ("pm_card_visa_chargeDeclinedInsufficientFunds", "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card"),
        ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc"),
        ("pm_card_chargeCustomerFail", "generic_decline"),
    ],
)
def test_test_payment_method_ids_decline_like_their_cards(client, test_id, decline_code):
    with pytest.raises(stripe.CardError) as caught:
        pay(client, test_id)
    assert caught.value.error.decline_code == decline_code


def test_an_unattached_payment_method_is_single_use(client):
    pm = card(client, "4242424242424242")
    pay(client, pm)

    with pytest.raises(stripe.InvalidRequestError) as caught:
        pay(client, pm)

    assert "It may not be used again" in caught.value.user_message


def test_setup_future_usage_saves_the_card_for_one_click_upsells(client):
    customer = client.v1.customers.create(params={"email": "upsell@example.com"})
    pm = card(client, "4242424242424242")

    first = pay(client, pm, customer=customer.id, setup_future_usage="off_session")
    saved = client.v1.payment_methods.retrieve(pm)
    upsell = pay(client, pm, customer=customer.id, off_session=True)

    assert first.status == "succeeded"
    assert first.setup_future_usage == "off_session"
    assert saved.customer == customer.id
    assert upsell.status == "succeeded"
    assert upsell.latest_charge != first.latest_charge


def test_another_customers_card_cannot_pay(client):
    owner, other = client.v1.customers.create(), client.v1.customers.create()
    pm = client.v1.payment_methods.attach("pm_card_visa", params={"customer": owner.id})

    with pytest.raises(stripe.InvalidRequestError) as caught:
        pay(client, pm.id, customer=other.id)

    assert caught.value.param == "payment_method"


# --- 3-D Secure -------------------------------------------------------------------------


def authenticate(sandbox, intent: stripe.PaymentIntent, outcome: str) -> requests.Response:
    """The shopper on the issuer's challenge page, without following the redirect."""
    url = intent.next_action.redirect_to_url.url
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    assert "Complete authentication" in page.text
    assert url.startswith(f"{sandbox.url}/stripe/3ds/")
    return requests.post(url, data={"outcome": outcome}, allow_redirects=False, timeout=5)


def test_3155_authenticates_on_session_then_pays_off_session_without(sandbox, client):
    customer = client.v1.customers.create()
    pm = card(client, "4000002500003155")

    intent = pay(
        client,
        pm,
        customer=customer.id,
        setup_future_usage="off_session",
        return_url="https://shop.example/checkout/return?step=pay",
    )
    answer = authenticate(sandbox, intent, "complete")
    done = client.v1.payment_intents.retrieve(intent.id, params={"expand": ["latest_charge"]})
    later = pay(client, pm, customer=customer.id, off_session=True)

    assert intent.status == "requires_action"
    assert intent.next_action.type == "redirect_to_url"
    assert intent.next_action.redirect_to_url.return_url.startswith("https://shop.example/")
    assert intent.latest_charge is None, "nothing is charged before authentication"
    assert answer.status_code == 303
    location = urlsplit(answer.headers["Location"])
    query = parse_qs(location.query)
    assert (location.netloc, location.path) == ("shop.example", "/checkout/return")
    assert query["step"] == ["pay"]
    assert query["payment_intent"] == [intent.id]
    assert query["payment_intent_client_secret"] == [intent.client_secret]
    assert query["redirect_status"] == ["succeeded"]
    assert done.status == "succeeded"
    assert done.latest_charge.payment_method_details.card.three_d_secure.result == "authenticated"
    assert later.status == "succeeded", "set up for off-session: no new authentication"


def test_3155_on_session_again_still_asks_for_authentication(client):
    customer = client.v1.customers.create()
    pm = client.v1.payment_methods.attach(
        "pm_card_authenticationRequiredOnSetup", params={"customer": customer.id}
    )

    intent = pay(client, pm.id, customer=customer.id)

    assert intent.status == "requires_action"


def test_3184_always_authenticates_and_declines_off_session(sandbox, client):
    customer = client.v1.customers.create()
    pm = card(client, "4000002760003184")
    first = pay(client, pm, customer=customer.id, setup_future_usage="off_session")
    authenticate(sandbox, first, "complete")

    with pytest.raises(stripe.CardError) as caught:
        pay(client, pm, customer=customer.id, off_session=True)

    assert client.v1.payment_intents.retrieve(first.id).status == "succeeded"
    assert caught.value.code == "authentication_required"
    assert caught.value.error.decline_code == "authentication_required"
    assert caught.value.error.payment_intent.status == "requires_payment_method"


def test_failed_authentication_returns_to_requires_payment_method(sandbox, client):
    intent = pay(client, card(client, "4000002760003184"), return_url="https://shop.example/r")

    answer = authenticate(sandbox, intent, "fail")
    failed = client.v1.payment_intents.retrieve(intent.id)
    replayed = requests.post(
        intent.next_action.redirect_to_url.url,
        data={"outcome": "complete"},
        allow_redirects=False,
        timeout=5,
    )

    assert parse_qs(urlsplit(answer.headers["Location"]).query)["redirect_status"] == ["failed"]
    assert failed.status == "requires_payment_method"
    assert failed.last_payment_error.code == "payment_intent_authentication_failure"
    assert failed.latest_charge is None
    assert parse_qs(urlsplit(replayed.headers["Location"]).query)["redirect_status"] == [
        "failed"
    ], "a late second click changes nothing"
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_payment_method"


def test_authentication_with_manual_capture_ends_in_requires_capture(sandbox, client):
    intent = pay(client, "pm_card_authenticationRequired", capture_method="manual")

    authenticate(sandbox, intent, "complete")

    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_capture"
