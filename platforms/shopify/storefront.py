"""Shopify's side of the storefront hand-off: the script-tag fallback and the app-data
metafields the theme app extension's embed reads.

Themes with app embeds load extension/shopify/extensions/cartpath-handoff; older themes
only run script tags (https://shopify.dev/docs/api/admin-graphql/latest/mutations/scriptTagCreate,
ONLINE_STORE scope; Shopify appends ?shop=<domain> to the src and deletes an app's script
tags at uninstall). The embed renders only when the app-data metafield `cartpath.handoff`
says "on" or "test" (https://shopify.dev/docs/apps/custom-data/metafields/app-data: owner =
the app's installation, read in Liquid as app.metafields.cartpath.handoff).
Call these inside platforms.shopify.client.call(shop_id, ...).
"""

from __future__ import annotations

from typing import Any

from platforms.errors import FinalError
from platforms.shopify.admin import graphql

NAMESPACE = "cartpath"

_SCRIPT_TAGS = """
query ScriptTags($src: URL!) { scriptTags(first: 10, src: $src) { nodes { id } } }"""

_CREATE_SCRIPT_TAG = """
mutation AddScriptTag($input: ScriptTagInput!) {
  scriptTagCreate(input: $input) { scriptTag { id } userErrors { field message } }
}"""

_INSTALLATION = "query Installation { currentAppInstallation { id } }"

_SET_METAFIELDS = """
mutation Publish($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) { metafields { key } userErrors { field message } }
}"""


def ensure_script_tag(src: str) -> bool:
    """Add the script tag for `src` unless it exists; True when one was created.

    :raises FinalError: Shopify refused it (userErrors).
    """
    if graphql(_SCRIPT_TAGS, {"src": src})["scriptTags"]["nodes"]:
        return False
    # Not `cache`: from Shopify's CDN the script could no longer tell where Cartpath is.
    result = graphql(_CREATE_SCRIPT_TAG, {"input": {"src": src, "displayScope": "ONLINE_STORE"}})[
        "scriptTagCreate"
    ]
    _refused("the script tag", result)
    return True


def publish_handoff(handoff: str, app_url: str) -> None:
    """Tell the theme app extension whether to load the script, and where Cartpath lives.

    :raises FinalError: Shopify refused the metafields (userErrors).
    """
    owner = graphql(_INSTALLATION)["currentAppInstallation"]["id"]
    fields = [
        {"key": "handoff", "type": "single_line_text_field", "value": handoff},
        {"key": "app_url", "type": "url", "value": app_url},
    ]
    result = graphql(
        _SET_METAFIELDS,
        {"metafields": [{"ownerId": owner, "namespace": NAMESPACE, **f} for f in fields]},
    )["metafieldsSet"]
    _refused("the hand-off settings", result)


def _refused(what: str, result: dict[str, Any]) -> None:
    if result["userErrors"]:
        messages = "; ".join(error["message"] for error in result["userErrors"])
        raise FinalError(f"Shopify refused {what}: {messages}")
