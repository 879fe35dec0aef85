"""BigCommerce: install callbacks, signed payloads, webhooks, the API client, the adapter."""
