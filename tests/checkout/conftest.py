"""A Cartpath whose Shopify install is a custom app (hosted checkout), installed on both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.support.cartpath import BC_CLIENT_ID, STORE, LiveCartpath, live_cartpath


@pytest.fixture
def hosted(make_config, sandbox) -> Iterator[LiveCartpath]:
    with live_cartpath(make_config(), sandbox, shopify_distribution="custom") as live:
        requests.get(
            f"{live.url}/admin/api/session",
            timeout=15,
            headers={"Authorization": f"Bearer {live.session_token()}"},
        ).raise_for_status()
        auth_url = sandbox.call(
            "POST", f"/bigcommerce/stores/{STORE}/install", {"client_id": BC_CLIENT_ID}
        )["auth_url"]
        requests.get(auth_url, allow_redirects=False, timeout=15).raise_for_status()
        live.wait_for_jobs()
        yield live
