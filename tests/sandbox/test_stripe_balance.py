"""The emulated balance (GET /v1/balance): the cheap call that tells whether a secret key works,
and what the account's captured, unrefunded charges add up to."""

from __future__ import annotations

import pytest
import stripe

from tests.sandbox.test_stripe_api import make_client
from tests.sandbox.test_stripe_payment_intents import card, pay


@pytest.fixture
def client(sandbox) -> stripe.StripeClient:
    return make_client(sandbox)


def test_the_balance_counts_captured_charges_net_of_refunds(client):
    empty = client.v1.balance.retrieve()
    intent = pay(client, card(client, "4242424242424242"))
    client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 500})

    balance = client.v1.balance.retrieve()

    assert empty.object == "balance"
    assert empty.pending == []
    assert [(p.amount, p.currency) for p in balance.pending] == [(2000, "usd")]
    assert balance.livemode is False


def test_a_wrong_key_is_refused(sandbox):
    with pytest.raises(stripe.AuthenticationError):
        make_client(sandbox, key="sk_test_not_a_key").v1.balance.retrieve()
