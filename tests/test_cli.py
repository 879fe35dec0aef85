"""The production commands: `cartpath web` under gunicorn, `cartpath keys rotate`,
`cartpath db check`."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
import requests
from cryptography.fernet import Fernet

from core.crypto import DecryptionError, TokenCipher
from core.models import Platform, Shop
from core.services import services_of
from tests.support.workers import (
    PROJECT_ROOT,
    start_cartpath,
    stop_worker,
    wait_until,
    worker_env,
)
from tests.test_demo import _answers, _free_port


def _cartpath(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from app import main; main()", *arguments],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_web_serves_under_gunicorn_and_stops_on_sigterm(app, tmp_path):
    port = _free_port()
    env = worker_env(services_of(app).config)
    log = tmp_path / "web.log"
    server = start_cartpath(
        "web", "--bind", f"127.0.0.1:{port}", "--workers", "2", env=env, log_path=log
    )
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 60, "gunicorn answers")
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()["checks"] == {
            "database": "ok",
            "jobs": "ok",
        }
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    finally:
        stop_worker(server)
    output = log.read_text()
    assert server.returncode == 0, output
    assert "Booting worker" in output


def test_keys_rotate_moves_stored_tokens_to_the_new_key(app):
    svc = services_of(app)
    old_key = svc.config.encryption_keys[0]
    with svc.database.session() as session:
        shop = Shop(platform=Platform.SHOPIFY, domain="rotate.myshopify.com")
        shop.set_tokens(svc.cipher, access_token="shpat_old", refresh_token="shprt_old")
        session.add(shop)
        session.commit()
    new_key = Fernet.generate_key().decode()
    env = worker_env(svc.config.with_overrides(encryption_keys=(new_key, old_key)))

    result = _cartpath("keys", "rotate", env=env)

    assert result.returncode == 0, result.stderr
    assert "re-encrypted the tokens of 1 shops" in result.stdout
    with svc.database.session() as session:
        stored = session.get(Shop, shop.id)
        only_new = TokenCipher([new_key])
        assert stored.access_token(only_new) == "shpat_old"
        assert stored.refresh_token(only_new) == "shprt_old"
        with pytest.raises(DecryptionError):
            stored.access_token(TokenCipher([old_key]))


def test_db_check_agrees_with_the_models(app):
    result = _cartpath("db", "check", env=worker_env(services_of(app).config))
    assert result.returncode == 0, result.stderr
    assert "models and migrations agree" in result.stdout
