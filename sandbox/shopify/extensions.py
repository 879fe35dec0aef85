"""Shopify's CDN for deployed theme app extension assets.

`shopify app deploy` uploads extensions/<name>/assets/* and themes load them from Shopify's
CDN through the `asset_url` filter
(https://shopify.dev/docs/apps/build/online-store/theme-app-extensions/configuration).
The sandbox serves the app's extension folder as deployed, so a storefront loads the very
file the repository holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Blueprint, abort, send_from_directory

if TYPE_CHECKING:
    from sandbox.shopify import ShopifyEmulator

DEPLOYED = Path(__file__).resolve().parents[2] / "extension" / "shopify" / "extensions"


def asset_url(extension: str, file_name: str, public_url: str) -> str:
    """Where a theme finds an extension's asset (what `{{ file_name | asset_url }}` renders)."""
    return f"{public_url}/shopify/cdn/extensions/{extension}/assets/{file_name}"


def blueprint(_emulator: ShopifyEmulator) -> Blueprint:
    bp = Blueprint("shopify_extensions", __name__)

    @bp.get("/shopify/cdn/extensions/<extension>/assets/<path:file_name>")
    def asset(extension: str, file_name: str):
        folder = DEPLOYED / extension / "assets"
        if not folder.is_dir() or "/" in extension or extension.startswith("."):
            abort(404)
        response = send_from_directory(folder, file_name, max_age=300)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    return bp
