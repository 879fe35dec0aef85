"""The platforms Cartpath runs on, behind one interface (base.py).

Everything Shopify- or BigCommerce-specific lives here: checkout, upsell and
webhooks speak the interface and never import a platform's client library.
"""
