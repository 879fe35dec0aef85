"""The auth blueprint with every platform's install and callback routes on it."""

from auth import bigcommerce_views, shopify_views  # noqa: F401 - they add routes
from auth.blueprint import blueprint

__all__ = ["blueprint"]
