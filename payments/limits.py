"""The card-testing defence: how many payment attempts a checkout, an IP and a shop may
make, and the lock after a run of declines.

Attempts are counted in sliding windows (a sorted set of attempt times per key in
Redis, checked and recorded in one Lua script so concurrent web processes agree).
Without REDIS_URL (the demo's single process) the same windows live in memory. The
lock is durable: an open `card_testing` staff alert on the checkout, raised after
`payment_decline_lock` declines in a row; staff resolving it unlocks the checkout.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from checkout.models import Checkout, Payment, PaymentStatus
from core.alerts import raise_alert
from core.config import Config
from core.models import Alert
from core.services import services

CARD_TESTING = "card_testing"


@dataclass(frozen=True)
class Window:
    """At most `limit` attempts for `key` in any `seconds`-long stretch of time."""

    key: str
    limit: int
    seconds: float


class Windows(Protocol):
    def hit(self, windows: Sequence[Window], now: float) -> float | None:
        """Record one attempt in every window, or none when any window is full.

        :returns: None when allowed, else seconds until the fullest window has room.
        """
        ...


# KEYS: one sorted set per window. ARGV: now (ms), a unique member, then per key its
# limit and span (ms). Refuses without recording when any window is full.
_HIT_SCRIPT = """
local now = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local limit, span = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
  if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + span - now)
  end
end
if wait > 0 then return math.max(1, math.ceil(wait)) end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 + 2 * i]))
end
return 0
"""


class RedisWindows:
    def __init__(self, redis: Any) -> None:
        self._script = redis.register_script(_HIT_SCRIPT)

    def hit(self, windows: Sequence[Window], now: float) -> float | None:
        args: list[Any] = [int(now * 1000), f"{now}:{secrets.token_hex(6)}"]
        for window in windows:
            args += [window.limit, int(window.seconds * 1000)]
        wait_ms = int(self._script(keys=[w.key for w in windows], args=args))
        return wait_ms / 1000 if wait_ms else None


class MemoryWindows:
    """The same windows for one process without Redis (the demo)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def hit(self, windows: Sequence[Window], now: float) -> float | None:
        with self._lock:
            wait = 0.0
            for window in windows:
                hits = self._hits.setdefault(window.key, deque())
                while hits and hits[0] <= now - window.seconds:
                    hits.popleft()
                if len(hits) >= window.limit:
                    wait = max(wait, hits[0] + window.seconds - now)
            if wait > 0:
                return wait
            for window in windows:
                self._hits[window.key].append(now)
            return None


class TooManyAttempts(Exception):
    """A window is full: answer 429 with Retry-After."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many payment attempts; retry in {retry_after:.0f}s")
        self.retry_after = max(1, math.ceil(retry_after))


def windows_for(config: Config, checkout: Checkout, client_ip: str) -> list[Window]:
    return [
        Window(f"cartpath:pay:checkout:{checkout.id}", *config.payment_limit_checkout),
        Window(f"cartpath:pay:ip:{client_ip}", *config.payment_limit_ip),
        Window(f"cartpath:pay:shop:{checkout.shop_id}", *config.payment_limit_shop),
    ]


def current_windows() -> Windows:
    """Redis when jobs run on it (shared by every process), else this app's memory."""
    redis = services().redis
    if redis is not None:
        return RedisWindows(redis)
    return current_app.extensions.setdefault("cartpath.payment_windows", MemoryWindows())


def count_attempt(checkout: Checkout, client_ip: str) -> None:
    """:raises TooManyAttempts: the checkout, the IP or the shop is over its limit."""
    wait = current_windows().hit(windows_for(services().config, checkout, client_ip), time.time())
    if wait is not None:
        raise TooManyAttempts(wait)


def is_locked(session: Session, checkout: Checkout) -> bool:
    return (
        session.scalar(
            select(Alert.id).where(
                Alert.shop_id == checkout.shop_id,
                Alert.kind == CARD_TESTING,
                Alert.subject == _subject(checkout),
                Alert.resolved_at.is_(None),
            )
        )
        is not None
    )


def lock_after_declines(session: Session, checkout: Checkout, run: int) -> bool:
    """After a decline: lock the checkout (staff alert) when the last `run` attempts
    all failed. In the caller's transaction; True when the checkout is now locked."""
    recent = session.scalars(
        select(Payment.status)
        .where(Payment.checkout_id == checkout.id)
        .order_by(Payment.id.desc())
        .limit(run)
    ).all()
    if len(recent) < run or any(status is not PaymentStatus.FAILED for status in recent):
        return False
    raise_alert(
        session,
        shop_id=checkout.shop_id,
        kind=CARD_TESTING,
        subject=_subject(checkout),
        message=(
            f"Checkout {checkout.id} was locked after {run} declined cards in a row, "
            "which looks like card testing. Resolve this alert to let the shopper pay again."
        ),
    )
    return True


def _subject(checkout: Checkout) -> str:
    return f"checkout:{checkout.id}"
