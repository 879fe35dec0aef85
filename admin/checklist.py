"""Home's setup checklist: what a new shop still has to do before Cartpath earns anything,
each step worked out from what the database already holds, and the gateway step from the
same remembered answer Settings shows (payments/remembered_status.py), so the two agree."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from admin.mode import MODE_REASONS
from admin.shell import admin_url
from checkout.models import CheckoutDesign
from core.config import Config
from core.models import Shop, ShopMode, StorefrontHandoff
from payments.connection import Connection
from payments.remembered_status import remembered_status
from upsell.models import Funnel, FunnelStatus


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool
    detail: str  # what is the case now, or what to do
    href: str | None = None  # the page that completes it, once that page exists
    action: str = ""


def _link(endpoint: str) -> str | None:
    """A link to `endpoint` when its page is registered (pages arrive one by one)."""
    return admin_url(endpoint) if endpoint in current_app.view_functions else None


_NATIVE_GATEWAY = Step(
    "gateway",
    "Card gateway connected",
    True,
    "Not needed: Shopify's checkout takes the payments in native mode.",
)


def _gateway_step(config: Config) -> Step:
    """Ticked only when the gateway's last answer was "connected"; a refusal or no answer
    says what Settings says."""
    status = remembered_status(config)
    detail, action = status.detail, "Check the gateway"
    if status.connected:
        detail = "Payments go through Stripe; upsells reuse the shopper's saved card."
    elif status.connection is Connection.NOT_CONFIGURED:
        detail = "Connect Stripe so Cartpath's checkout can take payments."
        action = "Connect a gateway"
    return Step(
        "gateway",
        "Card gateway connected",
        status.connected,
        detail,
        _link("admin_settings.settings"),
        action,
    )


def setup_steps(session: Session, shop: Shop, config: Config) -> list[Step]:
    hosted = shop.mode is ShopMode.HOSTED
    # Published means a publish happened (its time is set), as the designer page says: the
    # JSON column itself is not NULL for a design row holding JSON null.
    designed = session.scalar(
        select(
            exists().where(
                CheckoutDesign.shop_id == shop.id, CheckoutDesign.published_at.is_not(None)
            )
        )
    )
    active_funnel = session.scalar(
        select(exists().where(Funnel.shop_id == shop.id, Funnel.status == FunnelStatus.ACTIVE))
    )
    handoff = shop.storefront_handoff
    steps = [
        Step(
            "mode",
            "Mode",
            True,
            MODE_REASONS[shop.mode],
        ),
        _gateway_step(config) if hosted else _NATIVE_GATEWAY,
        Step(
            "design",
            "Checkout design published",
            bool(designed),
            "Shoppers see your published design."
            if designed
            else "Match the checkout to your brand (colours, logo, fonts), then publish it.",
            _link("admin_design.designer"),
            "Design the checkout",
        ),
        Step(
            "funnel",
            "First upsell funnel active",
            bool(active_funnel),
            "Shoppers are offered one-click upsells after paying."
            if active_funnel
            else "Create a funnel with one offer and activate it: that is where the "
            "extra revenue comes from.",
            _link("admin_funnels.funnels"),
            "Create a funnel",
        ),
    ]
    if hosted:
        steps.append(
            Step(
                "handoff",
                "Storefront hand-off on",
                handoff is StorefrontHandoff.ON,
                {
                    StorefrontHandoff.ON: "The shop's Checkout button opens Cartpath's checkout.",
                    StorefrontHandoff.TEST: "Test mode: only test visitors reach Cartpath's "
                    "checkout. Switch it on when you are happy with it.",
                    StorefrontHandoff.OFF: "Switch the hand-off on so the shop's Checkout "
                    "button opens Cartpath's checkout.",
                }[handoff],
                _link("admin_settings.settings"),
                "Switch it on",
            )
        )
    return steps
