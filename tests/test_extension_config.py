"""The Shopify app configuration agrees with the app's own settings and routes."""

from __future__ import annotations

import tomllib
from pathlib import Path

from core.config import Config
from platforms.shopify.subscriptions import TOPICS

TOML = Path(__file__).resolve().parent.parent / "extension" / "shopify.app.toml"


def test_the_privacy_topics_are_declared_and_the_rest_matches_the_app():
    config = tomllib.loads(TOML.read_text())
    subscriptions = config["webhooks"]["subscriptions"]
    compliance = [s for s in subscriptions if "compliance_topics" in s]

    assert compliance[0]["compliance_topics"] == [
        "customers/data_request",
        "customers/redact",
        "shop/redact",
    ]
    assert all(s["uri"].endswith("/webhooks/shopify") for s in subscriptions)
    assert config["access_scopes"]["scopes"] == Config.shopify_scopes
    assert config["auth"]["redirect_urls"][0].endswith("/shopify/callback")
    assert config["application_url"].endswith("/admin")
    assert config["webhooks"]["api_version"] == Config.shopify_api_version
    assert "APP_UNINSTALLED" in TOPICS
