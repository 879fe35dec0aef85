"""The issuer's 3-D Secure challenge page for PaymentIntents in requires_action.

GET /stripe/3ds/<pi> shows the challenge; its two buttons POST the outcome (plain
forms, no JavaScript). The intent then moves on (authorized, or back to
requires_payment_method with payment_intent_authentication_failure) and the browser
goes to the confirm call's return_url (https://docs.stripe.com/js/payment_intents/confirm_payment)
with `payment_intent`, `payment_intent_client_secret` and `redirect_status` added, the
query Stripe's redirects carry (seen in integrations' return-page code; the API
reference names no list). A second
submit (double click, back button) changes nothing and redirects the same way.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import abort, redirect, render_template, request
from werkzeug.exceptions import NotFound

from sandbox.stripe import charging
from sandbox.stripe.api import current_emulator
from sandbox.stripe.errors import StripeError
from sandbox.stripe.pages import blueprint, display_amount
from sandbox.stripe.state import Account


def _find(intent_id: str) -> tuple[Account, dict[str, Any]]:
    for account in current_emulator().state.accounts.values():
        intent = account.objects.get(intent_id)
        if intent is not None and intent["object"] == "payment_intent":
            return account, intent
    raise NotFound()


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *extra.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


@blueprint.get("/3ds/<intent_id>")
def challenge(intent_id: str):
    with current_emulator().state.lock:
        _, intent = _find(intent_id)
        return render_template(
            "stripe_sandbox/three_ds.html",
            intent=intent,
            amount=display_amount(intent["amount"], intent["currency"]),
            pending=intent["status"] == "requires_action",
        )


@blueprint.post("/3ds/<intent_id>")
def answer(intent_id: str):
    outcome = request.form.get("outcome")
    if outcome not in ("complete", "fail"):
        abort(400)
    emulator = current_emulator()
    with emulator.state.lock:
        account, intent = _find(intent_id)
        if intent["status"] == "requires_action":
            if outcome == "fail":
                charging.fail_authentication(account, intent)
            else:
                try:
                    charging.authorize(
                        account, intent, int(emulator.clock.now()), authenticated=True
                    )
                except StripeError:
                    pass  # declined after authentication: recorded on the intent
        status = intent["status"]
        return_url = account.return_urls.get(intent_id)
        client_secret = intent["client_secret"]
    succeeded = status in ("succeeded", "requires_capture", "processing")
    if return_url:
        return redirect(
            _with_query(
                return_url,
                {
                    "payment_intent": intent_id,
                    "payment_intent_client_secret": client_secret,
                    "redirect_status": "succeeded" if succeeded else "failed",
                },
            ),
            code=303,
        )
    return render_template("stripe_sandbox/three_ds_done.html", succeeded=succeeded)
