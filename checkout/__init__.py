"""The hosted one-page checkout: hand-off, pricing through the platform, the page."""
