"""The merchant's checkout design: edit a draft, preview it, publish it, revert to the live one.

Settings are validated by `Theme.from_settings` on the way in and again on the way out,
so a row written by hand or by an older version can never put unchecked CSS in front of
a shopper: a stored design that no longer validates falls back to the default.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from checkout.models import CheckoutDesign
from checkout.theme import Theme, ThemeError
from core.db import utcnow

log = logging.getLogger(__name__)

# The published design as the JSON text stored, for `theme_from_stored`; selected with the
# checkout itself when a shopper's page is opened (checkout/views.py).
PUBLISHED_SETTINGS = cast(CheckoutDesign.published, Text)


def _row(session: Session, shop_id: int) -> CheckoutDesign | None:
    return session.scalar(select(CheckoutDesign).where(CheckoutDesign.shop_id == shop_id))


def _theme(settings: dict[str, Any] | None, shop_id: int) -> Theme:
    if not settings:
        return Theme.default()
    try:
        return Theme.from_settings(settings)
    except ThemeError as error:
        log.error(
            "stored design of shop %s no longer validates (%s); using the default", shop_id, error
        )
        return Theme.default()


@dataclass(frozen=True)
class DesignState:
    """What the designer shows: the draft, and whether shoppers see something else."""

    draft: Theme
    published_at: datetime | None
    unpublished_changes: bool


def design_state(session: Session, shop_id: int) -> DesignState:
    row = _row(session, shop_id)
    if row is None:
        return DesignState(Theme.default(), None, unpublished_changes=False)
    draft, published = _theme(row.draft, shop_id), _theme(row.published, shop_id)
    return DesignState(draft, row.published_at, unpublished_changes=draft != published)


@lru_cache(maxsize=1024)
def theme_from_stored(stored: str | None, shop_id: int) -> Theme:
    """The theme of a published design's stored JSON text, validated once per text: every
    page view shows it, and checking it (the custom CSS above all) is the costly part. Keyed
    by the text itself, an edit made any way is never served stale."""
    return _theme(json.loads(stored) if stored else None, shop_id)


def published_theme(session: Session, shop_id: int) -> Theme:
    """What shoppers see now (the checkout's views read it with the checkout itself)."""
    stored = session.scalar(select(PUBLISHED_SETTINGS).where(CheckoutDesign.shop_id == shop_id))
    return theme_from_stored(stored, shop_id)


def draft_theme(session: Session, shop_id: int) -> Theme:
    row = _row(session, shop_id)
    return _theme(row.draft if row else None, shop_id)


def save_draft(session: Session, shop_id: int, settings: Any) -> Theme:
    """:raises ThemeError: with a message per setting; nothing is stored then."""
    theme = Theme.from_settings(settings)
    row = _row(session, shop_id)
    if row is None:
        row = CheckoutDesign(shop_id=shop_id, draft=theme.to_settings())
        session.add(row)
    else:
        row.draft = theme.to_settings()
    return theme


def publish(session: Session, shop_id: int) -> Theme:
    """Shoppers see the draft from now on; with nothing saved, the draft the designer shows
    (the default design) is what gets published."""
    row = _row(session, shop_id)
    if row is None:
        row = CheckoutDesign(shop_id=shop_id, draft=Theme.default().to_settings())
        session.add(row)
    theme = _theme(row.draft, shop_id)
    row.published, row.published_at = theme.to_settings(), utcnow()
    return theme


def revert(session: Session, shop_id: int) -> Theme:
    """Throw the draft away: it becomes the published design again (or the default)."""
    row = _row(session, shop_id)
    theme = _theme(row.published if row else None, shop_id)
    if row is not None:
        row.draft = theme.to_settings()
    return theme
