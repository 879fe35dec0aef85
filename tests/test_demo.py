"""`cartpath demo` from nothing: it starts, answers, and Ctrl-C stops all it started."""

from __future__ import annotations

import os
import signal
import socket

import pytest
import requests

from sandbox.demo_credentials import SHOPIFY_API_KEY as DEMO_SHOPIFY_API_KEY
from tests.support.workers import PROJECT_ROOT, start_cartpath, stop_worker, wait_until


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:  # not listening yet, or still building the app
        return False


@pytest.mark.slow
def test_demo_starts_answers_and_stops_on_ctrl_c(tmp_path):
    port, sandbox_port = _free_port(), _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CARTPATH_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(CARTPATH_INSTANCE_PATH=str(tmp_path / "instance"), PYTHONPATH=str(PROJECT_ROOT))
    log = tmp_path / "demo.log"
    demo = start_cartpath(
        "demo", "--port", str(port), "--sandbox-port", str(sandbox_port), env=env, log_path=log
    )
    try:
        # The banner comes once both shops are installed.
        wait_until(lambda: "Cartpath demo is running" in log.read_text(), 60, "the demo is up")
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
        assert health["jobs_backend"] == "in-process"
        assert _answers(f"http://127.0.0.1:{sandbox_port}/_control/health")
        assert (tmp_path / "instance" / "cartpath.db").exists()
        assert (tmp_path / "instance" / "secrets.json").exists()
        state = requests.get(f"http://127.0.0.1:{sandbox_port}/_control/state", timeout=5).json()
        assert (
            DEMO_SHOPIFY_API_KEY
            in state["shopify"]["shops"]["demo-shop.myshopify.com"]["installed"]
        ), "the demo installed itself into the Shopify shop"
        assert [i["store"] for i in state["bigcommerce"]["installations"]] == ["demo1abc"]
        handoff = requests.get(
            f"http://127.0.0.1:{port}/storefront/config",
            params={"platform": "bigcommerce", "shop": "demo1abc"},
            timeout=5,
        ).json()
        assert handoff == {"handoff": "on"}, "shoppers of the demo store reach Cartpath's checkout"

        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=20)
    finally:
        stop_worker(demo)

    output = log.read_text()
    assert demo.returncode == 0, output
    assert f"http://127.0.0.1:{port}/healthz" in output
    assert not _answers(f"http://127.0.0.1:{port}/healthz")
    assert not _answers(f"http://127.0.0.1:{sandbox_port}/_control/health")
