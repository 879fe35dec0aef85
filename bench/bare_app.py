"""The baselines: bare Flask endpoints that do the least their Cartpath counterpart must.

POST /webhooks/shopify reads a webhook body and answers 200. GET /page answers an HTML
page of BENCH_PAGE_BYTES bytes (the checkout page's size, which bench/checkout.py
measures first), built once at start, so the comparison isolates the checkout's own work.
"""

import os

from flask import Flask, request

app = Flask(__name__)

_PAGE_HEAD = "<!doctype html><html lang=en><head><title>Bare</title></head><body><main>"
_PAGE_TAIL = "</main></body></html>"


def _page_of(size: int) -> str:
    """ASCII HTML of exactly `size` bytes (or just its frame when `size` is smaller)."""
    filler = max(0, size - len(_PAGE_HEAD) - len(_PAGE_TAIL))
    return (
        _PAGE_HEAD
        + ("<p>" + "x" * 76 + "</p>\n") * (filler // 84)
        + "y" * (filler % 84)
        + _PAGE_TAIL
    )


PAGE = _page_of(int(os.environ.get("BENCH_PAGE_BYTES", "20000")))


@app.post("/webhooks/shopify")
def receive():
    request.get_data()
    return {"status": "ok"}


@app.get("/page")
def page():
    return PAGE
