"""A shop just installed on one platform for the admin's browser tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.models import Platform
from sandbox.demo_credentials import STRIPE_PUBLISHABLE_KEY, STRIPE_SECRET_KEY
from tests.support.cartpath import LiveCartpath, live_cartpath


@pytest.fixture
def fresh_shop(make_config, sandbox, platform: Platform) -> Iterator[LiveCartpath]:
    """A hosted shop on `platform` (the test's parameter), just installed, with the app's
    gateway keys set."""
    config = make_config(
        stripe_secret_key=STRIPE_SECRET_KEY, stripe_publishable_key=STRIPE_PUBLISHABLE_KEY
    )
    with live_cartpath(config, sandbox, shopify_distribution="custom") as live:
        if platform is Platform.SHOPIFY:
            live.install_shopify()
        else:
            live.install_bigcommerce()
        yield live
