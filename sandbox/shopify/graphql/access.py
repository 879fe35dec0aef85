"""Access scopes a root field needs: without them Shopify answers ACCESS_DENIED for the field.

Each field's "Requires ... access scope" line on its reference page; a write scope grants
the read one too (https://shopify.dev/docs/api/usage/access-scopes). Only the draft-order
fields are checked here so far: the hosted checkout prices with them, and an install that
did not ask for them must fail here as it would on Shopify.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

ACCESS_SCOPES_DOCS = "https://shopify.dev/api/usage/access-scopes"

REQUIRED_SCOPE = {
    # https://shopify.dev/docs/api/admin-graphql/latest/mutations/draftOrderCalculate
    "draftOrderCalculate": "write_draft_orders",
    "draftOrderCreate": "write_draft_orders",
    "draftOrderComplete": "write_draft_orders",
    "draftOrder": "read_draft_orders",
    # https://shopify.dev/docs/api/admin-graphql/latest/queries/draftOrderAvailableDeliveryOptions
    "draftOrderAvailableDeliveryOptions": "read_draft_orders",
}


def granted(scopes: list[str], needed: str) -> bool:
    return needed in scopes or needed.replace("read_", "write_", 1) in scopes


def guarded(field: str, resolver: Callable[..., Any]) -> Callable[..., Any]:
    """`resolver`, refusing a token without the field's scope as Shopify does."""
    needed = REQUIRED_SCOPE.get(field)
    if needed is None:
        return resolver

    @wraps(resolver)
    def checked(root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        if not granted(info.context.token.scopes, needed):
            required = f"`{needed}` access scope."
            raise GraphQLError(
                f"Access denied for {field} field. Required access: {required}",
                extensions={
                    "code": "ACCESS_DENIED",
                    "documentation": ACCESS_SCOPES_DOCS,
                    "requiredAccess": required,
                },
            )
        return resolver(root, info, **args)

    return checked
