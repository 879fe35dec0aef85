"""The emulated Stripe API through the real `stripe` package: keys, customers,
PaymentMethods, expansion and Stripe's request validation."""

from __future__ import annotations

import base64

import pytest
import requests
import stripe

from sandbox.demo_credentials import STRIPE_PUBLISHABLE_KEY, STRIPE_SECRET_KEY


def make_client(sandbox, key: str = STRIPE_SECRET_KEY) -> stripe.StripeClient:
    """Only the base address differs from production."""
    return stripe.StripeClient(key, base_addresses={"api": f"{sandbox.url}/stripe"})


@pytest.fixture
def client(sandbox) -> stripe.StripeClient:
    return make_client(sandbox)


def card_params(number: str = "4242424242424242", **card: str) -> dict:
    return {
        "type": "card",
        "card": {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123", **card},
        "billing_details": {"name": "Ada Shopper", "address": {"postal_code": "94107"}},
    }


# --- keys -------------------------------------------------------------------------------


def test_a_wrong_key_gets_stripes_401(sandbox):
    with pytest.raises(stripe.AuthenticationError) as caught:
        make_client(sandbox, "sk_test_not_a_real_key_1234").v1.customers.create()

    assert caught.value.http_status == 401
    error = caught.value.json_body["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith("Invalid API Key provided: sk_test_")
    assert error["message"].endswith("1234")
    assert "not_a_real" not in error["message"], "the key is masked"


def test_a_missing_key_and_basic_auth(sandbox):
    missing = requests.post(f"{sandbox.url}/stripe/v1/customers", timeout=5)
    basic = base64.b64encode(f"{STRIPE_SECRET_KEY}:".encode()).decode()
    with_basic = requests.post(
        f"{sandbox.url}/stripe/v1/customers",
        headers={"Authorization": f"Basic {basic}"},
        data={"email": "basic@example.com"},
        timeout=5,
    )

    assert missing.status_code == 401
    assert "You did not provide an API key" in missing.json()["error"]["message"]
    assert with_basic.status_code == 200
    assert with_basic.json()["email"] == "basic@example.com"
    assert with_basic.headers["Request-Id"].startswith("req_")


def test_a_publishable_key_may_only_create_payment_methods(sandbox):
    public = make_client(sandbox, STRIPE_PUBLISHABLE_KEY)

    pm = public.v1.payment_methods.create(params=card_params())
    with pytest.raises(stripe.AuthenticationError) as caught:
        public.v1.customers.create()

    assert pm.id.startswith("pm_")
    assert pm.card.last4 == "4242"
    assert caught.value.json_body["error"]["code"] == "secret_key_required"


def test_accounts_registered_by_control_are_isolated(sandbox, client):
    other_keys = {"secret_key": "sk_test_other_shop_abc", "publishable_key": "pk_test_other_shop"}
    registered = sandbox.call("POST", "/stripe/accounts", other_keys)
    other = make_client(sandbox, other_keys["secret_key"])
    mine = client.v1.customers.create(params={"email": "mine@example.com"})

    theirs = other.v1.customers.create(params={"email": "theirs@example.com"})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        other.v1.customers.retrieve(mine.id)

    assert registered["id"].startswith("acct_")
    assert theirs.email == "theirs@example.com"
    assert caught.value.http_status == 404
    assert caught.value.code == "resource_missing"
    assert caught.value.json_body["error"]["message"] == f"No such customer: '{mine.id}'"
    accounts = {a["secret_key"]: a for a in sandbox.state()["stripe"]["accounts"]}
    assert [c["email"] for c in accounts[other_keys["secret_key"]]["customers"]] == [
        "theirs@example.com"
    ]


def test_control_refuses_keys_that_are_not_test_keys(sandbox):
    answer = requests.post(
        f"{sandbox.url}/_control/stripe/accounts",
        json={"secret_key": "sk_live_x", "publishable_key": "pk_test_y"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert "sk_test_" in answer.json()["error"]


# --- customers --------------------------------------------------------------------------


def test_customer_create_retrieve_update_with_metadata_merge(client):
    created = client.v1.customers.create(
        params={"email": "ada@example.com", "name": "Ada", "metadata": {"shop": "a", "tier": "1"}}
    )

    updated = client.v1.customers.update(
        created.id, params={"name": "Ada L.", "metadata": {"tier": "", "vip": "yes"}}
    )
    fetched = client.v1.customers.retrieve(created.id)

    assert created.object == "customer"
    assert created.id.startswith("cus_")
    assert updated.name == "Ada L."
    assert fetched.email == "ada@example.com"
    assert fetched.metadata.to_dict() == {"shop": "a", "vip": "yes"}


def test_unknown_and_missing_parameters_are_refused_like_stripe(client):
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.customers.create(params={"colour": "red"})  # type: ignore[typeddict-unknown-key]
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.payment_intents.create(params={"currency": "usd"})  # type: ignore[typeddict-item]

    assert unknown.value.code == "parameter_unknown"
    assert unknown.value.param == "colour"
    assert missing.value.code == "parameter_missing"
    assert missing.value.param == "amount"


# --- payment methods --------------------------------------------------------------------


def test_attach_list_and_detach_a_card(client):
    customer = client.v1.customers.create(params={"email": "wallet@example.com"})
    pm = client.v1.payment_methods.create(params=card_params("5555555555554444"))

    attached = client.v1.payment_methods.attach(pm.id, params={"customer": customer.id})
    listed = client.v1.customers.payment_methods.list(customer.id)
    detached = client.v1.payment_methods.detach(pm.id)
    with pytest.raises(stripe.InvalidRequestError) as reattach:
        client.v1.payment_methods.attach(pm.id, params={"customer": customer.id})

    assert attached.customer == customer.id
    assert attached.card.brand == "mastercard"
    assert attached.billing_details.address.postal_code == "94107"
    assert [item.id for item in listed.data] == [pm.id]
    assert detached.customer is None
    assert "may not be used again" in reattach.value.user_message


def test_attaching_a_declining_card_fails_but_0341_attaches(client):
    customer = client.v1.customers.create()
    declining = client.v1.payment_methods.create(params=card_params("4000000000000002"))
    charge_fail = client.v1.payment_methods.create(params=card_params("4000000000000341"))

    with pytest.raises(stripe.CardError) as caught:
        client.v1.payment_methods.attach(declining.id, params={"customer": customer.id})
    attached = client.v1.payment_methods.attach(charge_fail.id, params={"customer": customer.id})

    assert caught.value.code == "card_declined"
    assert caught.value.error.decline_code == "generic_decline"
    assert attached.customer == customer.id


def test_test_payment_method_ids_make_a_new_payment_method_each_time(client):
    customer = client.v1.customers.create()

    first = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    second = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})

    assert first.id != second.id
    assert first.card.last4 == second.card.last4 == "4242"
    assert first.card.fingerprint == second.card.fingerprint


def test_a_customer_created_with_a_payment_method_and_default(client):
    pm = client.v1.payment_methods.create(params=card_params())

    customer = client.v1.customers.create(
        params={"payment_method": pm.id, "invoice_settings": {"default_payment_method": pm.id}}
    )
    expanded = client.v1.customers.retrieve(
        customer.id, params={"expand": ["invoice_settings.default_payment_method"]}
    )

    assert expanded.invoice_settings.default_payment_method.id == pm.id
    assert expanded.invoice_settings.default_payment_method.customer == customer.id


def test_list_pagination(client):
    customer = client.v1.customers.create()
    ids = [
        client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id}).id
        for _ in range(3)
    ]

    page = client.v1.payment_methods.list(params={"customer": customer.id, "limit": 2})
    rest = client.v1.payment_methods.list(
        params={"customer": customer.id, "limit": 2, "starting_after": page.data[-1].id}
    )

    assert [pm.id for pm in page.data] == ids[::-1][:2]
    assert page.has_more is True
    assert [pm.id for pm in rest.data] == ids[:1]
    assert rest.has_more is False
