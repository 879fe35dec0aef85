"""A Cartpath whose Shopify install is a custom app (hosted checkout), installed on both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.cartpath import LiveCartpath, live_cartpath


@pytest.fixture
def hosted(make_config, sandbox) -> Iterator[LiveCartpath]:
    with live_cartpath(make_config(), sandbox, shopify_distribution="custom") as live:
        live.install_shopify()
        live.install_bigcommerce()
        yield live
