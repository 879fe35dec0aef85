"""Shopify: OAuth and session-token checks, the Admin API client, the adapter."""
