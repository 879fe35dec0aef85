"""The embedded admin panel, inside Shopify's admin and BigCommerce's control panel."""
