"""Key rotation for stored credentials (`cartpath keys rotate`)."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Shop
from core.services import services


def rotate_stored_tokens() -> int:
    """Re-encrypt every shop's tokens under the newest key; returns the number of shops.

    Run after putting a new key first in CARTPATH_ENCRYPTION_KEY (old keys after it);
    once it has run, the old keys can be removed.
    """
    svc = services()
    with svc.database.session() as session:
        shops = session.scalars(select(Shop)).all()
        for shop in shops:
            shop.rotate_encryption(svc.cipher)
        session.commit()
        return len(shops)
