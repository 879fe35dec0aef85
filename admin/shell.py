"""The frame every admin page shares: who is signed in, where they can go, and the
credential that authenticates their next request.

The admin lives in the platform's iframe, where third-party cookies are not to be relied
on, so each page carries a short-lived Cartpath admin token in its links and forms
(never a cookie). Notices after a POST travel the same way: signed, so a link cannot put
words in the panel's mouth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from flask import (
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from admin.embedding import embedded
from auth.identity import admin_token_for, current_identity
from auth.models import Role
from core import audit
from core.models import AuditLog, Shop
from core.services import services
from core.web import db_session

NOTICE_SECONDS = 300
Record = TypeVar("Record")


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str


# Each page module registers its endpoint; an entry shows once its page exists.
NAVIGATION = (
    NavItem("Home", "admin.home"),
    NavItem("Orders", "admin_orders.orders"),
    NavItem("Support", "admin_support.search"),
    NavItem("Funnels", "admin_funnels.funnels"),
    NavItem("Checkout design", "admin_design.designer"),
    NavItem("Settings", "admin_settings.settings"),
)


def current_shop() -> Shop:
    """The shop of the person signed in (the session's identity map keeps it for the request)."""
    return db_session().get(Shop, current_identity().shop_id)


def shop_record(model: type[Record], record_id: int, missing: str) -> Record:
    """This shop's `model` row `record_id`; 404 with `missing` for any other, another shop's
    included, so an id never tells whether it exists elsewhere."""
    record = db_session().get(model, record_id)
    if record is None or record.shop_id != current_identity().shop_id:
        abort(404, missing)
    return record


def record_action(
    session: Session, action: str, target: str, details: dict[str, Any] | None = None
) -> AuditLog:
    """The audit log's entry for a change the signed-in person makes, in its transaction."""
    identity = current_identity()
    return audit.record(
        session,
        shop_id=identity.shop_id,
        actor=identity.actor,
        action=action,
        target=target,
        details=details or {},
    )


def credential() -> dict[str, str]:
    """The hidden field a form or link carries so the next request is the same person's."""
    return {"admin_token": admin_token_for(current_identity())}


def admin_url(endpoint: str, **values: Any) -> str:
    """A link inside the admin, authenticated for the person viewing this page."""
    return url_for(endpoint, **credential(), **values)


def redirect_to(endpoint: str, *, notice: str | None = None, **values: Any) -> Response:
    """Post/Redirect/Get within the admin, with an optional one-line notice to show."""
    if notice is not None:
        values["notice"] = _notices().dumps(notice)
    return redirect(admin_url(endpoint, **values), code=303)


def render_page(template: str, *, title: str, **context: Any) -> Response:
    """An admin page: the shared layout around `template`, framed only by the shop's admin."""
    identity = current_identity()
    config = services().config
    shop = current_shop()
    page = render_template(
        template,
        title=title,
        shop=shop,
        identity=identity,
        can_edit=identity.role in (Role.OWNER, Role.STAFF),
        navigation=_navigation(),
        notice=_notice(),
        credential=credential(),
        admin_url=admin_url,
        app_bridge_url=config.shopify_app_bridge_url,
        api_key=config.shopify_api_key,
        **context,
    )
    return embedded(make_response(page), identity)


def _navigation() -> list[tuple[NavItem, str, bool]]:
    views = current_app.view_functions
    return [
        (item, admin_url(item.endpoint), request.endpoint == item.endpoint)
        for item in NAVIGATION
        if item.endpoint in views
    ]


def _notice() -> str | None:
    signed = request.args.get("notice")
    if not signed:
        return None
    try:
        return _notices().loads(signed, max_age=NOTICE_SECONDS)
    except BadSignature:
        return None


def _notices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(services().config.secret_key, salt="cartpath.admin.notice")
