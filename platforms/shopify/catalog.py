"""Shopify's products for the picker: one GraphQL query, products with their variants
(https://shopify.dev/docs/api/admin-graphql/latest/queries/products). Prices are in the
shop's currency (shop.currencyCode)."""

from __future__ import annotations

from decimal import Decimal

from platforms.catalog import Catalog, CatalogProduct, CatalogVariant
from platforms.shopify.admin import graphql
from platforms.shopify.client import call
from platforms.shopify.pricing import DEFAULT_VARIANT_TITLE, legacy_id

PRODUCTS = """
query Catalog($first: Int!, $variants: Int!) {
  shop { currencyCode }
  products(first: $first, query: "status:active") {
    nodes {
      id title featuredImage { url }
      variants(first: $variants) { nodes { id title price availableForSale } }
    }
  }
}
"""
# A query may ask for at most 1,000 points, about products + products x variants
# requested (https://shopify.dev/docs/api/usage/limits#query-cost): 30 x (20 + 4) = 720.
PAGE, VARIANTS = 30, 20


def read_catalog(shop_id: int) -> Catalog:
    data = call(shop_id, lambda: graphql(PRODUCTS, {"first": PAGE, "variants": VARIANTS}))
    products = tuple(
        CatalogProduct(
            id=legacy_id(node["id"]),
            title=node["title"],
            image_url=(node.get("featuredImage") or {}).get("url"),
            variants=tuple(
                CatalogVariant(
                    id=legacy_id(variant["id"]),
                    title="" if variant["title"] == DEFAULT_VARIANT_TITLE else variant["title"],
                    price=Decimal(str(variant["price"])),
                    available=bool(variant["availableForSale"]),
                )
                for variant in node["variants"]["nodes"]
            ),
        )
        for node in data["products"]["nodes"]
    )
    return Catalog(currency=data["shop"]["currencyCode"], products=products)
