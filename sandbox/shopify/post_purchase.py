"""Shopify's post-purchase page, with the sandbox playing the app's extension.

After the native checkout has created the paid order, Shopify shows the post-purchase page
of the one app the merchant picked for it (Settings > Checkout > Post-purchase page: "only
one app can manage the after checkout page", https://help.accounteditor.com/en/article/
settings-shopify-integration-1rmrvh6/), before the thank-you page
(https://shopify.dev/docs/api/checkout-extensions/post-purchase/api). The app's JavaScript
extension calls the app's backend; here the page does what Shopify's tutorial extension does
(https://shopify.dev/docs/apps/build/checkout/product-offers/build-a-post-purchase-offer):

- POST <backend>/post-purchase/offer {referenceId}, `Authorization: Bearer <inputData.token>`;
- Accept: POST <backend>/post-purchase/sign-changeset {referenceId, offerId, changes, token}
  with the same header, then applyChangeset(<the app's token>) (changesets.py), then, as
  Cartpath's extension does, POST <backend>/post-purchase/changeset-result {referenceId,
  offerId, status, errors} (its answer, or none, changes nothing for the buyer);
- Decline: as Cartpath's extension does, POST <backend>/post-purchase/decline
  {referenceId, offerId};
- no offers, an error answer or no answer within OFFER_TIMEOUT: straight to the thank-you
  page (the purchase is never blocked).

Pages (no JavaScript, plain forms), under /shopify/<shop>/checkouts/<reference id>/:
GET post-purchase, POST post-purchase/accept, POST post-purchase/decline, GET thank-you.
The extension API, for Cartpath's own extension code and tests:
POST /shopify/<shop>/post-purchase/calculate {referenceId, changes | token}  calculateChangeset
POST /shopify/<shop>/post-purchase/apply     {referenceId, token}            applyChangeset
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import jwt
import requests
from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from sandbox.shopify import changesets
from sandbox.shopify.admin_api import fail
from sandbox.shopify.graphql.nodes import money_bag
from sandbox.shopify.resources import money, order_json
from sandbox.shopify.state import Order, PostPurchaseSession, Shop

if TYPE_CHECKING:
    from sandbox.shopify import ShopifyEmulator

# Real seconds (connect, read) the page waits for the app's backend before skipping to
# the thank-you page. Shopify does not publish its limit; short, as the buyer is waiting.
OFFER_TIMEOUT = (1.0, 2.0)
SIGN_TIMEOUT = (1.0, 5.0)


@dataclass(frozen=True)
class BackendCall:
    """What an outbound call to the app needs, read under the lock and used outside it."""

    shop: str
    reference_id: str
    url: str
    token: str


def input_data(shop: Shop, order: Order, reference_id: str) -> dict[str, Any]:
    """InputData of both extension points (post-purchase.ts), without `token`."""
    currency = order.currency
    lines = []
    for item in order.line_items:
        variant = shop.variant(item.variant_id) if item.variant_id else None
        lines.append(
            {
                "product": {
                    "id": item.product_id,
                    "title": item.title,
                    "variant": {
                        "id": item.variant_id,
                        "title": variant.title if variant else item.variant_title,
                        "metafields": [],
                    },
                    "metafields": [],
                },
                "quantity": item.quantity,
                "totalPriceSet": money_bag(item.price * item.quantity, currency),
            }
        )
    return {
        "extensionPoint": "Checkout::PostPurchase::Render",
        "initialPurchase": {
            "referenceId": reference_id,
            "destinationCountryCode": (order.shipping_address or {}).get("countryCode"),
            "totalPriceSet": money_bag(order.total_price, currency),
            "lineItems": lines,
        },
        "locale": "en",
        "shop": {"id": shop.id, "domain": shop.domain, "metafields": []},
        "version": "unstable",
    }


def shopify_token(data: dict[str, Any], secret: str, now: float) -> str:
    """inputData.token: HS256 with the app secret, iss "shopify", sub the reference ID, no jti.

    https://shopify.dev/docs/api/checkout-extensions/post-purchase/jwt-specification; the
    payload under `input_data` is what the tutorial's backend reads
    (input_data.initialPurchase.referenceId, input_data.shop.domain).
    """
    claims = {
        "iss": "shopify",
        "sub": data["initialPurchase"]["referenceId"],
        "iat": int(now),
        "input_data": data,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def session_json(session: PostPurchaseSession) -> dict[str, Any]:
    return {
        "referenceId": session.reference_id,
        "orderId": session.order_id,
        "clientId": session.client_id,
        "backendUrl": session.backend_url,
        "state": session.state,
        "skipReason": session.skip_reason,
        "offers": session.offers,
        "answered": session.answered,
        "changesetApplicationsRemaining": changesets.remaining(session),
        "applications": [
            {
                "jti": a.jti,
                "status": a.status,
                "errors": a.errors,
                "charged": money(a.charged),
                "changesetApplicationsRemaining": a.remaining,
                "at": a.at,
            }
            for a in session.applications
        ],
    }


class PostPurchase:
    """Starts sessions after checkout and talks to the app's backend outside the state lock."""

    def __init__(self, emulator: ShopifyEmulator) -> None:
        self.emulator = emulator

    def begin(self, shop: Shop, order: Order, card: str) -> BackendCall | None:
        """Open a session for a just-paid order when an app runs the page; caller holds the lock."""
        choice = shop.post_purchase
        app = self.emulator.state.apps.get(choice.client_id) if choice else None
        if choice is None or app is None or app.client_id not in shop.installed:
            return None
        now = self.emulator.clock.now()
        reference_id = secrets.token_hex(16)
        data = input_data(shop, order, reference_id)
        token = shopify_token(data, app.client_secret, now)
        shop.post_purchase_sessions[reference_id] = PostPurchaseSession(
            reference_id, order.id, app.client_id, choice.backend_url, card, now, token, data
        )
        return BackendCall(shop.domain, reference_id, choice.backend_url, token)

    def fetch_offers(self, call: BackendCall) -> str:
        """ShouldRender: ask the app for offers; the URL the buyer goes to next."""
        offers, problem = _offers(call)
        state = self.emulator.state
        with state.lock:
            shop = state.shop(call.shop)
            session = shop.post_purchase_sessions.get(call.reference_id) if shop else None
            if session is None:  # reset while the app was answering
                return _thank_you_url(call.shop, call.reference_id)
            if problem:
                session.state, session.skip_reason = "skipped", problem
            else:
                session.state, session.offers = "offered", offers
            return self.next_url(shop, session)

    def next_url(self, shop: Shop, session: PostPurchaseSession) -> str:
        if (
            session.state == "offered"
            and session.answered < len(session.offers)
            and changesets.remaining(session) > 0
        ):
            return url_for(
                "shopify_post_purchase.offer_page", shop=shop.domain, reference=session.reference_id
            )
        return _thank_you_url(shop.domain, session.reference_id)

    def apply(self, shop: Shop, session: PostPurchaseSession, token: str) -> dict[str, Any]:
        """applyChangeset; an edited order goes out as orders/updated. Caller holds the lock."""
        app = self.emulator.state.apps.get(session.client_id)
        if app is None:
            error = changesets.ChangesetError("server_error", "The app is no longer registered")
            return {"status": "unprocessed", "errors": [error.json()]}
        application = changesets.apply(
            self.emulator.state, shop, session, app, token, now=self.emulator.clock.now()
        )
        if application.status != "unprocessed":
            order = shop.orders[session.order_id]
            # Shopify also sends orders/edited for an accepted cross-sell (community.shopify.com
            # /c/shopify-apis-and-sdks/difference-between-the-orders-updated-and-orders-edited-
            # webhooks/td-p/1060608); this emulator has no orders/edited topic yet.
            self.emulator.webhooks.emit(shop, "orders/updated", order_json(order, shop))
        return changesets.application_json(application)


def _thank_you_url(shop: str, reference_id: str) -> str:
    return url_for("shopify_post_purchase.thank_you", shop=shop, reference=reference_id)


def _post(url: str, body: dict[str, Any], token: str, timeout: tuple[float, float]) -> Any:
    """POST JSON to the app; its JSON answer, or ValueError saying why there is none."""
    try:
        response = requests.post(
            url,
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            allow_redirects=False,
        )
    except requests.Timeout:
        raise ValueError("the app did not answer in time") from None
    except requests.RequestException as error:
        raise ValueError(f"the app is unreachable ({type(error).__name__})") from None
    if not 200 <= response.status_code < 300:
        raise ValueError(f"the app answered HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise ValueError("the app's answer is not JSON") from None


def _offers(call: BackendCall) -> tuple[list[dict[str, Any]], str | None]:
    try:
        answer = _post(
            f"{call.url.rstrip('/')}/post-purchase/offer",
            {"referenceId": call.reference_id},
            call.token,
            OFFER_TIMEOUT,
        )
    except ValueError as problem:
        return [], str(problem)
    offers = answer.get("offers") if isinstance(answer, dict) else None
    if not isinstance(offers, list):
        return [], "the app's answer has no offers list"
    offers = [o for o in offers if isinstance(o, dict) and "id" in o]
    return offers, None if offers else "the app has no offer for this purchase"


def _following(session: PostPurchaseSession, offer: dict[str, Any], answer: str) -> int:
    """Where the buyer goes after answering `offer`: the offer its `next` names for this
    answer (null: the thank-you page), else the next one in the list."""
    links = offer.get("next")
    if not isinstance(links, dict):
        return session.answered + 1
    target = links.get(answer)
    ids = [o.get("id") for o in session.offers]
    return ids.index(target) if target in ids else len(session.offers)


def _sign(session: PostPurchaseSession, offer: dict[str, Any]) -> str:
    """The app's changeset token, or "" when the app gives none (applyChangeset then refuses)."""
    try:
        answer = _post(
            f"{session.backend_url.rstrip('/')}/post-purchase/sign-changeset",
            {
                "referenceId": session.reference_id,
                "offerId": offer["id"],
                "changes": offer.get("changes"),
                "token": session.token,
            },
            session.token,
            SIGN_TIMEOUT,
        )
    except ValueError:
        return ""
    token = answer.get("token") if isinstance(answer, dict) else None
    return token if isinstance(token, str) else ""


def _tell(session: PostPurchaseSession, what: str, body: dict[str, Any]) -> None:
    """Tell the app what its extension saw, as Cartpath's extension does: applyChangeset's
    answer (post-purchase.ts ApplyChangesetResult reaches only the extension) or a
    decline. An app without the endpoint, or no answer, changes nothing for the buyer."""
    try:
        _post(
            f"{session.backend_url.rstrip('/')}/post-purchase/{what}",
            {"referenceId": session.reference_id, **body},
            session.token,
            SIGN_TIMEOUT,
        )
    except ValueError:
        return


def blueprint(emulator: ShopifyEmulator) -> Blueprint:
    bp = Blueprint(
        "shopify_post_purchase", __name__, url_prefix="/shopify/<shop>", template_folder="templates"
    )
    state = emulator.state
    flow = emulator.post_purchase

    def session_or_404(shop: str, reference: str) -> tuple[Shop, PostPurchaseSession]:
        record = state.shop(shop)
        session = record.post_purchase_sessions.get(reference) if record else None
        if record is None or session is None:
            fail(404, {"errors": "Not Found"})
        return record, session

    def render(template: str, shop: Shop, **values: Any) -> str:
        return render_template(
            f"shopify/{template}",
            shop=shop,
            script_tags=[],  # Shopify runs no script tags in checkout
            app_embeds=[],
            money=lambda amount: f"{money(Decimal(amount))} {shop.currency}",
            **values,
        )

    @bp.get("/checkouts/<reference>/post-purchase")
    def offer_page(shop: str, reference: str):
        with state.lock:
            record, session = session_or_404(shop, reference)
            target = flow.next_url(record, session)
            if target != request.path:
                return redirect(target, 303)
            offer = session.offers[session.answered]
            order = record.orders[session.order_id]
            try:
                lines, shipping = changesets.parse_changes(record, offer.get("changes"))
                calculation = changesets.calculate(record, order, lines, shipping)
                problem = None
            except changesets.ChangesetError as error:
                calculation, problem = None, str(error)
            return render(
                "post_purchase.html",
                record,
                session=session,
                offer=offer,
                calculation=calculation,
                problem=problem,
                last=session.applications[-1] if session.applications else None,
                remaining=changesets.remaining(session),
            )

    @bp.post("/checkouts/<reference>/post-purchase/accept")
    def accept(shop: str, reference: str):
        with state.lock:
            record, session = session_or_404(shop, reference)
            target = flow.next_url(record, session)
            if target != url_for(".offer_page", shop=shop, reference=reference):
                return redirect(target, 303)
            offer = session.offers[session.answered]
        token = _sign(session, offer)  # outside the lock: the app may call the Admin API
        result = None
        with state.lock:
            record, session = session_or_404(shop, reference)
            if session.answered < len(session.offers) and session.offers[session.answered] is offer:
                result = flow.apply(record, session, token)
                session.answered = _following(session, offer, "accepted")
            target = flow.next_url(record, session)
        if result is not None:
            answer = {"status": result["status"], "errors": result["errors"]}
            _tell(session, "changeset-result", {"offerId": offer["id"], **answer})
        return redirect(target, 303)

    @bp.post("/checkouts/<reference>/post-purchase/decline")
    def decline(shop: str, reference: str):
        declined = None
        with state.lock:
            record, session = session_or_404(shop, reference)
            if session.state == "offered" and session.answered < len(session.offers):
                declined = session.offers[session.answered]
                session.answered = _following(session, declined, "declined")
            target = flow.next_url(record, session)
        if declined is not None:
            _tell(session, "decline", {"offerId": declined["id"]})
        return redirect(target, 303)

    @bp.get("/checkouts/<reference>/thank-you")
    def thank_you(shop: str, reference: str):
        """done(): the buyer leaves the post-purchase page; the order is released."""
        with state.lock:
            record, session = session_or_404(shop, reference)
            if session.state == "offered":
                session.state = "done"
            order = record.orders[session.order_id]
            return render("store_thank_you.html", record, order=order)

    def extension_call() -> tuple[Shop, PostPurchaseSession, dict[str, Any]]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            fail(400, {"errors": "The body must be a JSON object"})
        record, session = session_or_404(request.view_args["shop"], str(body.get("referenceId")))
        return record, session, body

    @bp.post("/post-purchase/calculate")
    def calculate(shop: str):
        with state.lock:
            record, session, body = extension_call()
            order = record.orders[session.order_id]
            try:
                changes = body.get("changes")
                if isinstance(body.get("token"), str):
                    app = state.apps.get(session.client_id)
                    if app is None:
                        raise changesets.ChangesetError("server_error", "The app is gone")
                    claims = changesets.verify_token(
                        body["token"], app=app, session=session, now=emulator.clock.now()
                    )
                    changes = claims.get("changes")
                lines, shipping = changesets.parse_changes(record, changes)
                calculation = changesets.calculate(record, order, lines, shipping)
            except changesets.ChangesetError as error:
                return jsonify(status="unprocessed", errors=[error.json()])
            return jsonify(
                status="processed",
                errors=[],
                calculatedPurchase=changesets.calculated_purchase_json(calculation, order.currency),
            )

    @bp.post("/post-purchase/apply")
    def apply(shop: str):
        with state.lock:
            record, session, body = extension_call()
            token = body.get("token")
            return jsonify(flow.apply(record, session, token if isinstance(token, str) else ""))

    return bp
