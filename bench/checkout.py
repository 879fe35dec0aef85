"""The hosted checkout page against a bare Flask page of the same size (issue 7).

Cartpath runs under gunicorn against the sandbox (served in this process) as a custom
Shopify app, the demo shop is installed, and one checkout is opened through
POST /checkout/start. GET /checkout/<token> then renders the stored quote: the sandbox
counts the platform requests it receives meanwhile, and the benchmark fails if there
is any. Goals: at least half the bare page's throughput with the same gunicorn
settings; HTML + CSS + JS under 30 KB gzipped (level 6, images aside); a web worker's
peak memory under 150 MB that does not grow between its first 1,000 requests and
BENCH_CHECKOUT_REQUESTS (default 10,000).
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests
from cryptography.fernet import Fernet
from redis import Redis

from bench.harness import Comparison
from bench.processes import python, running
from core.demo import DEMO_SHOPIFY_SHOP, AppCredentials, install_demo_shops, register_with_sandbox
from sandbox import demo_credentials as demo
from sandbox.server import create_sandbox_app
from tests.support.cartpath import free_port
from tests.support.database import throwaway_database
from tests.support.servers import serve

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
GUNICORN = ["--workers", "2", "--threads", "4"]
CLIENTS = 8
ROUNDS = 3
PER_ROUND = 600
EARLY_REQUESTS = 1000
GZIP_BUDGET = 30 * 1024
PEAK_BUDGET_MB = 150
_ASSET = re.compile(
    r"<script[^>]*\ssrc=\"([^\"]+)\"|<link[^>]*rel=\"?stylesheet\"?[^>]*\shref=\"([^\"]+)\""
)


class PlatformCalls:
    """WSGI middleware counting the requests the sandbox's platforms receive
    (everything but its own /_control/ API)."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not environ.get("PATH_INFO", "").startswith("/_control/"):
            with self._lock:
                self.count += 1
        return self.app(environ, start_response)


def _load(url: str, count: int) -> tuple[float, list[float]]:
    """GET `url` `count` times from CLIENTS threads, each with its own connection."""

    def client(share: int) -> list[float]:
        latencies = []
        with requests.Session() as session:
            for _ in range(share):
                began = time.perf_counter()
                answer = session.get(url, timeout=10)
                latencies.append(time.perf_counter() - began)
                if answer.status_code != 200:
                    raise RuntimeError(f"{url} answered {answer.status_code}")
        return latencies

    shares = [count // CLIENTS + (1 if n < count % CLIENTS else 0) for n in range(CLIENTS)]
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        latencies = [t for part in pool.map(client, shares) for t in part]
    return count / (time.perf_counter() - began), latencies


def _environment(directory: str, database_url: str, sandbox_url: str, base_url: str) -> dict:
    """Production-style settings: PostgreSQL, Redis, the demo's app credentials."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CARTPATH_SECRET_KEY": "bench-secret-key-" + "k" * 32,
        "CARTPATH_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "CARTPATH_INSTANCE_PATH": directory,
        "CARTPATH_LOG_LEVEL": "WARNING",
        "CARTPATH_BASE_URL": base_url,
        "SHOPIFY_DISTRIBUTION": "custom",
        "SHOPIFY_API_KEY": demo.SHOPIFY_API_KEY,
        "SHOPIFY_API_SECRET": demo.SHOPIFY_API_SECRET,
        "BIGCOMMERCE_CLIENT_ID": demo.BIGCOMMERCE_CLIENT_ID,
        "BIGCOMMERCE_CLIENT_SECRET": demo.BIGCOMMERCE_CLIENT_SECRET,
        "BIGCOMMERCE_APP_ID": demo.BIGCOMMERCE_APP_ID,
        "STRIPE_SECRET_KEY": demo.STRIPE_SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": demo.STRIPE_PUBLISHABLE_KEY,
        "SHOPIFY_API_BASE": f"{sandbox_url}/shopify/{{shop}}",
        "SHOPIFY_ADMIN_BASE": f"{sandbox_url}/shopify/admin",
        "SHOPIFY_APP_BRIDGE_URL": f"{sandbox_url}/shopify/cdn/app-bridge.js",
        "BIGCOMMERCE_API_BASE": f"{sandbox_url}/bigcommerce",
        "BIGCOMMERCE_LOGIN_BASE": f"{sandbox_url}/bigcommerce-login",
        "STRIPE_API_BASE": f"{sandbox_url}/stripe",
    }


def _open_checkout(sandbox_url: str, base_url: str) -> str:
    """Hand a two-item cart of the demo shop over, as its storefront does."""
    state = requests.get(f"{sandbox_url}/_control/state", timeout=10).json()
    products = state["shopify"]["shops"][DEMO_SHOPIFY_SHOP]["products"][:2]
    answer = requests.post(
        f"{base_url}/checkout/start",
        timeout=30,
        json={
            "platform": "shopify",
            "shop": DEMO_SHOPIFY_SHOP,
            "items": [{"id": p["variants"][0]["id"], "quantity": 1} for p in products],
        },
    )
    answer.raise_for_status()
    return base_url + answer.json()["checkout_url"]


def _gzipped_size(page_url: str, html: bytes) -> int:
    """gzip -6 of the HTML plus each script and stylesheet it links (images aside)."""
    size = len(gzip.compress(html, compresslevel=6))
    for script, stylesheet in _ASSET.findall(html.decode()):
        asset = requests.get(urljoin(page_url, script or stylesheet), timeout=10)
        asset.raise_for_status()
        size += len(gzip.compress(asset.content, compresslevel=6))
    return size


def _workers(master: int) -> list[int]:
    """The gunicorn master's child processes (its web workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == master:
            found.append(int(stat.parent.name))
    return sorted(found)


def _memory_kib(pids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """pid -> (current RSS, peak RSS) in KiB, from /proc/<pid>/status."""
    memory = {}
    for pid in pids:
        status = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        )
        memory[pid] = (int(status["VmRSS"].split()[0]), int(status["VmHWM"].split()[0]))
    return memory


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _print_memory(early: dict, late: dict, early_count: int, late_count: int) -> None:
    if set(early) != set(late):
        print(f"checkout worker memory: workers were replaced ({sorted(early)} -> {sorted(late)})")
        return
    growth = max(late[pid][0] / early[pid][0] for pid in late)
    peak_mb = max(hwm for _, hwm in late.values()) * 1024 / 1_000_000
    rss = ", ".join(f"{late[pid][0] / 1024:.1f}" for pid in sorted(late))
    print(
        f"checkout web workers after {late_count:,} requests: RSS {rss} MiB, "
        f"{growth:.2f}x their RSS after {early_count:,} (goal: no growth, about 1.0x: "
        f"{_verdict(growth <= 1.05)}); peak {peak_mb:.1f} MB "
        f"(goal < {PEAK_BUDGET_MB} MB: {_verdict(peak_mb < PEAK_BUDGET_MB)})"
    )


def run() -> list[Comparison]:
    target = int(os.environ.get("BENCH_CHECKOUT_REQUESTS", "10000"))
    early_count = min(EARLY_REQUESTS, target)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the sandbox's access log
    Redis.from_url(REDIS_URL).flushdb()
    sandbox_app = create_sandbox_app(seed="demo")
    platform_calls = PlatformCalls(sandbox_app.wsgi_app)
    sandbox_app.wsgi_app = platform_calls  # type: ignore[method-assign]
    with (
        tempfile.TemporaryDirectory() as directory,
        throwaway_database("postgresql", Path(directory)) as database_url,
        serve(sandbox_app) as sandbox,
    ):
        sandbox_app.extensions["sandbox"].public_url = sandbox.url
        cartpath_port, bare_port = free_port(), free_port()
        base_url = f"http://127.0.0.1:{cartpath_port}"
        env = _environment(directory, database_url, sandbox.url, base_url)
        register_with_sandbox(sandbox.url, base_url, AppCredentials())
        cartpath_command = python(
            "-m", "gunicorn", "-b", f"127.0.0.1:{cartpath_port}", *GUNICORN, "app:create_app()"
        )
        with running(cartpath_command, env, f"{base_url}/") as cartpath:
            install_demo_shops(sandbox.url, base_url)
            page_url = _open_checkout(sandbox.url, base_url)
            html = requests.get(page_url, timeout=10).content
            compressed = _gzipped_size(page_url, html)
            print(
                f"checkout page: {len(html):,} bytes of HTML, {compressed / 1024:.1f} KB gzipped "
                f"with its CSS and JS (budget < 30 KB: "
                f"{_verdict(compressed < GZIP_BUDGET)})"
            )
            bare_command = python(
                "-m", "gunicorn", "-b", f"127.0.0.1:{bare_port}", *GUNICORN, "bench.bare_app:app"
            )
            bare_env = {**env, "BENCH_PAGE_BYTES": str(len(html))}
            with running(bare_command, bare_env, f"http://127.0.0.1:{bare_port}/"):
                bare_url = f"http://127.0.0.1:{bare_port}/page"
                assert len(requests.get(bare_url, timeout=10).content) == len(html)
                calls_before = platform_calls.count
                _load(bare_url, early_count)
                _load(page_url, early_count)
                early = _memory_kib(_workers(cartpath.pid))
                bare_rates, ours_rates, ours_latencies = [], [], []
                for _ in range(ROUNDS):
                    bare_rates.append(_load(bare_url, PER_ROUND)[0])
                    rate, latencies = _load(page_url, PER_ROUND)
                    ours_rates.append(rate)
                    ours_latencies += latencies
            sent = early_count + ROUNDS * PER_ROUND
            while sent < target:
                batch = min(2000, target - sent)
                _load(page_url, batch)
                sent += batch
            late = _memory_kib(_workers(cartpath.pid))
        platform_requests = platform_calls.count - calls_before
    print(
        f"platform requests while serving {sent:,} checkout pages: {platform_requests} "
        f"(goal: 0, the page renders the stored quote: {_verdict(not platform_requests)})"
    )
    _print_memory(early, late, early_count, sent)
    p99 = statistics.quantiles(ours_latencies, n=100)[98] * 1000
    return [
        Comparison(
            "checkout page GET vs bare Flask page of equal size",
            statistics.mean(bare_rates),
            statistics.mean(ours_rates),
            p99,
            0.5,
        )
    ]
