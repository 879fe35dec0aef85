"""Webhook subscriptions through Admin GraphQL, made idempotent: list, then create what is missing.

https://shopify.dev/docs/api/admin-graphql/latest/mutations/webhookSubscriptionCreate
(`uri` replaces the deprecated callbackUrl from 2025-04). The privacy (compliance)
topics cannot be subscribed through the API; they are declared in
extension/shopify.app.toml, as Shopify requires.
"""

from __future__ import annotations

from platforms.errors import FinalError
from platforms.shopify.admin import graphql

TOPICS = (
    "APP_UNINSTALLED",
    "ORDERS_CREATE",
    "ORDERS_UPDATED",
    "ORDERS_PAID",
    "ORDERS_CANCELLED",
    "REFUNDS_CREATE",
    "PRODUCTS_UPDATE",
    "PRODUCTS_DELETE",
)

_LIST = """
query Subscriptions($after: String) {
  webhookSubscriptions(first: 100, after: $after) {
    nodes { id topic uri }
    pageInfo { hasNextPage endCursor }
  }
}"""

_CREATE = """
mutation Subscribe($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri, format: JSON}) {
    webhookSubscription { id }
    userErrors { field message }
  }
}"""


def existing() -> list[dict[str, str]]:
    """Every subscription of this app on the active shop."""
    found: list[dict[str, str]] = []
    after = None
    while True:
        page = graphql(_LIST, {"after": after})["webhookSubscriptions"]
        found.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def ensure(uri: str) -> list[str]:
    """Subscribe every topic to `uri` that is not already; returns the topics created.

    :raises FinalError: Shopify refused a subscription (userErrors).
    """
    present = {node["topic"] for node in existing() if node["uri"] == uri}
    created = []
    for topic in TOPICS:
        if topic in present:
            continue
        result = graphql(_CREATE, {"topic": topic, "uri": uri})["webhookSubscriptionCreate"]
        if result["userErrors"]:
            messages = "; ".join(error["message"] for error in result["userErrors"])
            raise FinalError(f"Shopify refused the {topic} subscription: {messages}")
        created.append(topic)
    return created
