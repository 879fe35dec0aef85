"""The card gateway's status as the admin shows it (Settings, Home's checklist): asked at
most once per interval for the whole Cartpath instance, remembered with the time it was asked.

Asking on every page view would cost a Stripe call per view of every shop's Settings and
Home, and per refresh: Stripe limits requests per second per account, those calls share the
limit with every checkout's payments, and Stripe asks integrations to treat its limits as
maximums and avoid unnecessary load (https://docs.stripe.com/rate-limits). One account serves
the whole instance (payments/connection.py), so one answer serves every shop.

The answer lives in Redis when the app has it, so every web process shares it: it is a
cache (losing it costs one more call), which needs no table and no migration. Without
REDIS_URL (the demo's one process) it lives in the app's memory. A claim that expires with
the interval decides who asks: the one caller that takes it asks, the others read the last
answer, so concurrent page views at the end of an interval still make one call.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import datetime
from typing import Any, Protocol

from flask import current_app

from core.config import Config
from core.services import services
from payments.connection import Connection, GatewayStatus, gateway_status, not_checked_yet
from payments.gateways import gateway_for


class StatusMemory(Protocol):
    def claim(self, seconds: float, *, force: bool = False) -> bool:
        """Whether the caller may ask the gateway now: nobody claimed in the last `seconds`,
        or `force`. A successful claim starts a new interval."""
        ...

    def recall(self) -> GatewayStatus | None:
        """The last answer kept, if any."""
        ...

    def keep(self, status: GatewayStatus) -> None: ...


class RedisStatusMemory:
    """Shared by every process of the instance; `account` tells gateway accounts apart."""

    def __init__(self, redis: Any, account: str) -> None:
        self._redis = redis
        self._answer = f"cartpath:gateway-status:{account}"
        self._claim = f"{self._answer}:claim"

    def claim(self, seconds: float, *, force: bool = False) -> bool:
        milliseconds = max(1, round(seconds * 1000))
        return bool(self._redis.set(self._claim, "1", px=milliseconds, nx=not force))

    def recall(self) -> GatewayStatus | None:
        raw = self._redis.get(self._answer)
        return None if raw is None else _loads(raw)

    def keep(self, status: GatewayStatus) -> None:
        self._redis.set(self._answer, _dumps(status))


class ProcessStatusMemory:
    """The same for one process without Redis (the demo)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claimed_until = float("-inf")
        self._answer: GatewayStatus | None = None

    def claim(self, seconds: float, *, force: bool = False) -> bool:
        now = time.monotonic()
        with self._lock:
            if not force and now < self._claimed_until:
                return False
            self._claimed_until = now + seconds
            return True

    def recall(self) -> GatewayStatus | None:
        with self._lock:
            return self._answer

    def keep(self, status: GatewayStatus) -> None:
        with self._lock:
            self._answer = status


def remembered_status(config: Config, *, check_now: bool = False) -> GatewayStatus:
    """The last answer while it is younger than `config.gateway_check_interval`, else a fresh
    one (kept for the others); `check_now` asks whatever the age (the admin's Check again)."""
    gateway = gateway_for(config)
    if gateway is None:
        return gateway_status(config)  # no keys: nothing to ask, and it says what is missing
    memory = status_memory(config)
    if memory.claim(config.gateway_check_interval, force=check_now):
        status = gateway_status(config)
        memory.keep(status)
        return status
    return memory.recall() or not_checked_yet(gateway.name)


def status_memory(config: Config) -> StatusMemory:
    """Redis when the app has it (shared by every process), else this app's memory."""
    redis = services().redis
    if redis is not None:
        return RedisStatusMemory(redis, account_fingerprint(config))
    return current_app.extensions.setdefault("cartpath.gateway_status", ProcessStatusMemory())


def account_fingerprint(config: Config) -> str:
    """Names the gateway account in Redis without storing its key: new keys, a new answer."""
    account = f"{config.stripe_api_base}\n{config.stripe_secret_key}".encode()
    return hashlib.sha256(account).hexdigest()[:24]


def _dumps(status: GatewayStatus) -> str:
    return json.dumps(
        {
            "connection": status.connection.value,
            "gateway": status.gateway,
            "detail": status.detail,
            "checked_at": status.checked_at.isoformat() if status.checked_at else None,
        }
    )


def _loads(raw: bytes | str) -> GatewayStatus | None:
    """The kept answer, or None when it cannot be read (as if none were kept)."""
    try:
        data = json.loads(raw)
        checked_at = data["checked_at"]
        return GatewayStatus(
            Connection(data["connection"]),
            data["gateway"],
            data["detail"],
            datetime.fromisoformat(checked_at) if checked_at else None,
        )
    except (ValueError, KeyError, TypeError):
        return None
