"""Stripe's Idempotency-Key semantics, and charging once through injected faults."""

from __future__ import annotations

import threading
import time

import pytest
import requests
import stripe

from sandbox.demo_credentials import STRIPE_SECRET_KEY


def make_client(sandbox, *, key: str = STRIPE_SECRET_KEY, retries: int = 0, timeout: float = 5):
    return stripe.StripeClient(
        key,
        base_addresses={"api": f"{sandbox.url}/stripe"},
        max_network_retries=retries,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


@pytest.fixture
def client(sandbox) -> stripe.StripeClient:
    return make_client(sandbox)


def account(sandbox) -> dict:
    """The demo account as the control API lists it."""
    (demo,) = [
        a for a in sandbox.state()["stripe"]["accounts"] if a["secret_key"] == STRIPE_SECRET_KEY
    ]
    return demo


def charges(sandbox) -> list[dict]:
    return account(sandbox)["charges"]


def raw_post(sandbox, path: str, data: dict, key: str) -> requests.Response:
    return requests.post(
        f"{sandbox.url}/stripe/v1{path}",
        data=data,
        headers={"Authorization": f"Bearer {STRIPE_SECRET_KEY}", "Idempotency-Key": key},
        timeout=5,
    )


PAYMENT = {
    "amount": "4200",
    "currency": "usd",
    "payment_method": "pm_card_visa",
    "confirm": "true",
    "metadata[checkout]": "c-42",
}


def test_same_key_same_params_replays_the_first_answer(sandbox):
    first = raw_post(sandbox, "/payment_intents", PAYMENT, "checkout-c-42")
    second = raw_post(sandbox, "/payment_intents", dict(reversed(PAYMENT.items())), "checkout-c-42")

    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.headers["Original-Request"] == first.headers["Request-Id"]
    assert second.headers["Request-Id"] != first.headers["Request-Id"]
    assert len(charges(sandbox)) == 1


def test_the_library_sends_the_key_and_a_replay_is_the_same_object(client, sandbox):
    params = {"amount": 1000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}

    first = client.v1.payment_intents.create(params=params, options={"idempotency_key": "k-1"})
    again = client.v1.payment_intents.create(params=params, options={"idempotency_key": "k-1"})

    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(charges(sandbox)) == 1


def test_a_decline_is_replayed_too(sandbox):
    declined = {**PAYMENT, "payment_method": "pm_card_chargeDeclined"}

    first = raw_post(sandbox, "/payment_intents", declined, "decline-1")
    second = raw_post(sandbox, "/payment_intents", declined, "decline-1")

    assert first.status_code == second.status_code == 402
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(charges(sandbox)) == 1, "one failed charge, not two"


def test_same_key_with_other_params_is_an_idempotency_error(client):
    client.v1.customers.create(params={"email": "a@example.com"}, options={"idempotency_key": "k"})

    with pytest.raises(stripe.IdempotencyError) as other_params:
        client.v1.customers.create(
            params={"email": "b@example.com"}, options={"idempotency_key": "k"}
        )
    with pytest.raises(stripe.IdempotencyError) as other_endpoint:
        client.v1.payment_intents.create(
            params={"amount": 100, "currency": "usd"}, options={"idempotency_key": "k"}
        )

    assert other_params.value.http_status == 400
    assert other_params.value.json_body["error"]["type"] == "idempotency_error"
    assert "Try using a key other than 'k'" in other_params.value.user_message
    assert other_endpoint.value.http_status == 400


def test_validation_failures_are_not_saved(client):
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.create(
            params={"amount": 1, "currency": "usd"}, options={"idempotency_key": "fix-me"}
        )

    fixed = client.v1.payment_intents.create(
        params={"amount": 100, "currency": "usd"}, options={"idempotency_key": "fix-me"}
    )

    assert fixed.amount == 100


def test_keys_are_scoped_per_account(sandbox, client):
    keys = {"secret_key": "sk_test_second_account", "publishable_key": "pk_test_second_account"}
    sandbox.call("POST", "/stripe/accounts", keys)
    other = make_client(sandbox, key=keys["secret_key"])

    mine = client.v1.customers.create(params={"email": "a@x.io"}, options={"idempotency_key": "s"})
    theirs = other.v1.customers.create(params={"email": "b@x.io"}, options={"idempotency_key": "s"})

    assert theirs.id != mine.id
    assert theirs.email == "b@x.io"


def test_keys_expire_after_24_hours_of_platform_time(sandbox, client):
    first = client.v1.customers.create(params={"email": "a@x.io"}, options={"idempotency_key": "d"})
    sandbox.clock(advance=23 * 3600)
    still = client.v1.customers.create(params={"email": "a@x.io"}, options={"idempotency_key": "d"})
    sandbox.clock(advance=3600)

    reused = client.v1.customers.create(
        params={"email": "b@x.io"}, options={"idempotency_key": "d"}
    )

    assert still.id == first.id
    assert reused.id != first.id
    assert reused.email == "b@x.io"


def test_a_request_whose_key_is_in_flight_gets_409(sandbox):
    requests.post(f"{sandbox.url}/_control/stripe/behaviour", json={"issuer_delay": 2.0}, timeout=5)
    answers: list[requests.Response] = []
    slow = threading.Thread(
        target=lambda: answers.append(raw_post(sandbox, "/payment_intents", PAYMENT, "busy"))
    )
    slow.start()
    deadline = time.monotonic() + 5
    while account(sandbox)["idempotency_keys_in_flight"] != ["busy"]:
        assert time.monotonic() < deadline, "the first request never started"
        time.sleep(0.02)

    conflict = raw_post(sandbox, "/payment_intents", PAYMENT, "busy")
    slow.join(10)

    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "idempotency_key_in_use"
    assert answers[0].status_code == 200
    assert raw_post(sandbox, "/payment_intents", PAYMENT, "busy").json() == answers[0].json()
    assert len(charges(sandbox)) == 1


def test_the_library_retries_a_409_until_the_first_request_finished(sandbox):
    requests.post(f"{sandbox.url}/_control/stripe/behaviour", json={"issuer_delay": 0.5}, timeout=5)
    client = make_client(sandbox, retries=5)
    params = {"amount": 1000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    results: list[stripe.PaymentIntent] = []

    def pay() -> None:
        results.append(
            client.v1.payment_intents.create(params=params, options={"idempotency_key": "dbl"})
        )

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(results) == 2
    assert results[0].id == results[1].id
    assert len(charges(sandbox)) == 1


def test_an_over_long_key_is_refused(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.create(options={"idempotency_key": "k" * 256})
    assert caught.value.param == "Idempotency-Key"


# --- faults on confirm: a retry with the same key charges once --------------------------


@pytest.fixture
def unconfirmed(client) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(
        params={"amount": 3100, "currency": "usd", "payment_method": "pm_card_visa"}
    )


CONFIRM_PATH = r"^/stripe/v1/payment_intents/[^/]+/confirm$"


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"kind": "status", "status": 500}, stripe.APIError),
        ({"kind": "status", "status": 429, "retry_after": 1}, stripe.RateLimitError),
        ({"kind": "drop"}, stripe.APIConnectionError),
    ],
)
def test_a_manual_retry_after_a_fault_charges_once(sandbox, client, unconfirmed, fault, error):
    sandbox.fault(path=CONFIRM_PATH, method="POST", **fault)

    with pytest.raises(error):
        client.v1.payment_intents.confirm(unconfirmed.id, options={"idempotency_key": "pay-31"})
    retried = client.v1.payment_intents.confirm(
        unconfirmed.id, options={"idempotency_key": "pay-31"}
    )

    assert retried.status == "succeeded"
    assert len(charges(sandbox)) == 1


def test_a_timeout_then_retry_with_the_same_key_charges_once(sandbox, unconfirmed):
    sandbox.fault(kind="timeout", path=CONFIRM_PATH, seconds=1.0)
    impatient = make_client(sandbox, timeout=0.3)

    with pytest.raises(stripe.APIConnectionError):
        impatient.v1.payment_intents.confirm(unconfirmed.id, options={"idempotency_key": "t-1"})
    retried = impatient.v1.payment_intents.confirm(
        unconfirmed.id, options={"idempotency_key": "t-1"}
    )

    assert retried.status == "succeeded"
    assert len(charges(sandbox)) == 1


@pytest.mark.parametrize("kind", ["drop", "status"])
def test_the_librarys_own_retries_reuse_its_key(sandbox, unconfirmed, kind):
    sandbox.fault(kind=kind, path=CONFIRM_PATH, status=503, count=2)
    patient = make_client(sandbox, retries=3)

    confirmed = patient.v1.payment_intents.confirm(unconfirmed.id)

    assert confirmed.status == "succeeded"
    assert len(charges(sandbox)) == 1
