"""The sandbox storefronts with and without Cartpath's hand-off script (issue 10).

A Lighthouse-style lab measure: headless Chromium (Debian's) opens each page in a fresh
context (a first visit, cold cache), and the page's navigation timing gives
domContentLoaded and load. Both arms load the same HTML through the same interception;
the "without" arm only strips the script's tag, so the difference is the script alone.
Runs alternate between the arms; medians are compared. Goal: no regression beyond noise
(the script's page loads at least 0.9x as fast as without it).
"""

from __future__ import annotations

import logging
import os
import re
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet
from playwright.sync_api import Browser, Route, sync_playwright

from bench.harness import Comparison
from checkout.storefront import set_handoff
from core.config import Config
from core.models import Shop
from core.services import services_of
from sandbox.server import create_sandbox_app
from tests.support.cartpath import SHOP, STORE, live_cartpath
from tests.support.database import throwaway_database
from tests.support.sandbox import SandboxControl
from tests.support.servers import serve

RUNS = int(os.environ.get("BENCH_STOREFRONT_RUNS", "15"))
GOAL = 0.9
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
SCRIPT_TAG = re.compile(r"<script[^>]*cartpath-handoff\.js[^>]*></script>")
TIMING = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  return [n.domContentLoadedEventEnd, n.loadEventEnd];
}"""


def _visit(browser: Browser, url: str, strip: bool) -> tuple[float, float]:
    """(domContentLoaded, load) in ms for one cold visit."""
    context = browser.new_context()
    page = context.new_page()

    def through(route: Route) -> None:
        response = route.fetch()
        body = response.text()
        route.fulfill(response=response, body=SCRIPT_TAG.sub("", body) if strip else body)

    page.route(url, through)
    page.goto(url, wait_until="load")
    page.wait_for_function("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
    dcl, load = page.evaluate(TIMING)
    context.close()
    return dcl, load


def _measure(browser: Browser, name: str, url: str) -> Comparison:
    with_script: list[tuple[float, float]] = []
    without: list[tuple[float, float]] = []
    html = browser.new_page()
    html.goto(url)
    assert SCRIPT_TAG.search(html.content()), f"{url} does not carry the hand-off script"
    html.close()
    for _ in range(RUNS):
        without.append(_visit(browser, url, strip=True))
        with_script.append(_visit(browser, url, strip=False))
    median: Callable[[list[tuple[float, float]], int], float] = lambda runs, i: (  # noqa: E731
        statistics.median(r[i] for r in runs)
    )
    print(
        f"{name}: domContentLoaded {median(with_script, 0):.1f} ms with the script vs "
        f"{median(without, 0):.1f} ms without; load {median(with_script, 1):.1f} ms vs "
        f"{median(without, 1):.1f} ms ({RUNS} cold visits each, medians)"
    )
    return Comparison(
        f"{name} load with the hand-off script vs without",
        1000 / median(without, 1),
        1000 / median(with_script, 1),
        statistics.quantiles([r[1] for r in with_script], n=100)[98],
        GOAL,
    )


def run() -> list[Comparison]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    sandbox_app = create_sandbox_app(seed="demo")
    with (
        tempfile.TemporaryDirectory() as directory,
        throwaway_database("sqlite", Path(directory)) as database_url,
        serve(sandbox_app) as sandbox,
    ):
        sandbox_app.extensions["sandbox"].public_url = sandbox.url
        config = Config(
            database_url=database_url,
            secret_key="bench-secret-key-" + "x" * 32,
            encryption_keys=(Fernet.generate_key().decode(),),
            instance_path=Path(directory) / "instance",
            shopify_distribution="custom",
        )
        with live_cartpath(config, SandboxControl(sandbox.url)) as live:
            live.install_shopify()
            live.install_bigcommerce()
            with live.app.app_context(), services_of(live.app).database.session() as session:
                for shop in session.query(Shop).all():
                    set_handoff(session, shop, "on", actor="bench")
                session.commit()
            live.wait_for_jobs()
            pages = {
                "Shopify product page": f"{sandbox.url}/shopify/{SHOP}/products/trail-runner-shoe",
                "Shopify cart page": f"{sandbox.url}/shopify/{SHOP}/cart",
                "BigCommerce home page": f"{sandbox.url}/bigcommerce/stores/{STORE}/storefront/",
                "BigCommerce cart page": (
                    f"{sandbox.url}/bigcommerce/stores/{STORE}/storefront/cart.php"
                ),
            }
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                try:
                    return [_measure(browser, name, url) for name, url in pages.items()]
                finally:
                    browser.close()


if __name__ == "__main__":
    for comparison in run():
        print(comparison.line())
