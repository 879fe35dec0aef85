"""The daily check restores webhooks the platforms dropped."""

from __future__ import annotations

from core.services import services_of
from platforms.bigcommerce.setup import store_connection
from platforms.shopify import client
from platforms.shopify.admin import graphql
from platforms.shopify.subscriptions import existing
from webhooks.subscriptions import check_all_shops

DELETE = "mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { userErrors { message } } }"


def test_dropped_subscriptions_and_deactivated_hooks_are_restored(cartpath):
    shopify_id = cartpath.install_shopify()
    bigcommerce_id = cartpath.install_bigcommerce()
    with cartpath.app.app_context():
        # Shopify removed two failing subscriptions; BigCommerce deactivated a hook.
        for node in client.call(shopify_id, existing)[:2]:
            client.call(shopify_id, lambda node=node: graphql(DELETE, {"id": node["id"]}))
        hooks = store_connection(bigcommerce_id).get("hooks")["data"]
        store_connection(bigcommerce_id).put(f"hooks/{hooks[0]['id']}", {"is_active": False})
        assert len(client.call(shopify_id, existing)) == 6

        queued = check_all_shops(services_of(cartpath.app))
        cartpath.wait_for_jobs()

        assert queued == 2
        assert len(client.call(shopify_id, existing)) == 8
        hooks = store_connection(bigcommerce_id).get("hooks")["data"]
        assert len(hooks) == 4
        assert all(hook["is_active"] for hook in hooks)
