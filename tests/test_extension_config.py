"""The Shopify app configuration agrees with the app's own settings and routes."""

from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import urlsplit

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


def test_every_extension_directory_holds_an_extension_and_post_purchase_is_one():
    config = tomllib.loads(TOML.read_text())
    found = {
        path.parent.name: tomllib.loads(path.read_text())
        for pattern in config["extension_directories"]
        for path in TOML.parent.glob(f"{pattern}/shopify.extension.toml")
    }

    assert set(found) == {"cartpath-handoff", "post-purchase"}
    assert found["post-purchase"]["type"] == "checkout_post_purchase"
    assert "write_order_edits" in config["access_scopes"]["scopes"].split(",")


def test_the_post_purchase_extension_calls_the_apps_own_host():
    config = tomllib.loads(TOML.read_text())
    source = (TOML.parent / "post-purchase" / "src" / "config.js").read_text()
    host = urlsplit(config["application_url"]).netloc

    assert f"CARTPATH_URL = 'https://{host}'" in source
    assert (TOML.parent / "post-purchase" / "package-lock.json").is_file()
