"""The app credentials the demo registers with the sandbox and configures in Cartpath.

Both sides read them from here so `cartpath demo` needs no environment at all.
They are sandbox-only values: no real platform knows them.
"""

DEMO_APP_URL = "http://127.0.0.1:8000"

SHOPIFY_API_KEY = "cartpath-demo-shopify-api-key"
SHOPIFY_API_SECRET = "cartpath-demo-shopify-api-secret-0123456789abcdef"  # noqa: S105

BIGCOMMERCE_CLIENT_ID = "cartpath-demo-bigcommerce-client-id"
BIGCOMMERCE_CLIENT_SECRET = "cartpath-demo-bigcommerce-client-secret-0123456789"  # noqa: S105
BIGCOMMERCE_APP_ID = "40501"

STRIPE_SECRET_KEY = "sk_test_cartpath_demo_0123456789abcdef"  # noqa: S105
STRIPE_PUBLISHABLE_KEY = "pk_test_cartpath_demo_0123456789abcdef"
