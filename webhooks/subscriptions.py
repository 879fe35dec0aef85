"""The daily check that every installed shop still sends us its webhooks.

Platforms drop subscriptions on their own: Shopify deletes one after its last failed
retry, BigCommerce deactivates a hook after about 48 hours of failures or 90 days
idle (PLATFORMS.md B and E). Each shop's check is the install's own idempotent
`complete_install` job, which lists what the platform has and restores what is missing.
"""

from __future__ import annotations

from sqlalchemy import select

from auth.install_jobs import complete_install
from core.jobs import spec_of
from core.models import Shop
from core.services import Services


def check_all_shops(svc: Services) -> int:
    """Queue a check for every installed shop; returns how many were queued."""
    with svc.database.session() as session:
        shop_ids = session.scalars(
            select(Shop.id).where(Shop.installed_at.is_not(None), Shop.uninstalled_at.is_(None))
        ).all()
    for shop_id in shop_ids:
        svc.jobs.enqueue(spec_of(complete_install), (shop_id,), job_id=f"subscriptions-{shop_id}")
    return len(shop_ids)
