"""Shopify's two leaky buckets, per app and shop, on the sandbox clock.

GraphQL: calculated query cost; the bucket must hold the requested cost, the
difference to the actual cost is refunded; it restores at a rate set by the plan
(https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits: Standard 100 points/s,
Advanced 200, Plus 1000). Bucket size is not in that table: 20 s of restore is assumed
(2000 for Standard), matching Shopify's published throttleStatus samples' ratio.
REST: 40 requests, leaking 2/s on standard plans (4/s Advanced, 20/s Plus), answered
with X-Shopify-Shop-Api-Call-Limit and 429 + Retry-After
(https://shopify.dev/docs/api/admin-rest/usage/rate-limits).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

GRAPHQL_RESTORE = {"basic": 100.0, "development": 100.0, "advanced": 200.0, "plus": 1000.0}
GRAPHQL_BUCKET_SECONDS = 20
MAX_QUERY_COST = 1000
REST_LIMITS = {
    "basic": (40, 2.0),
    "development": (40, 2.0),
    "advanced": (80, 4.0),
    "plus": (400, 20.0),
}


@dataclass
class CostBucket:
    maximum: float
    restore_rate: float
    available: float
    updated: float

    def refill(self, now: float) -> None:
        elapsed = max(now - self.updated, 0.0)
        self.available = min(self.maximum, self.available + elapsed * self.restore_rate)
        self.updated = now

    def status(self) -> dict[str, float]:
        return {
            "maximumAvailable": float(self.maximum),
            "currentlyAvailable": math.floor(self.available),
            "restoreRate": float(self.restore_rate),
        }


@dataclass
class RequestBucket:
    capacity: int
    leak_rate: float
    level: float
    updated: float

    def leak(self, now: float) -> None:
        self.level = max(0.0, self.level - max(now - self.updated, 0.0) * self.leak_rate)
        self.updated = now


class RateLimits:
    """All buckets of one emulator, keyed by (client id, shop domain)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cost: dict[tuple[str, str], CostBucket] = {}
        self._rest: dict[tuple[str, str], RequestBucket] = {}

    def reset(self) -> None:
        with self._lock:
            self._cost.clear()
            self._rest.clear()

    def _cost_bucket(self, key: tuple[str, str], plan: str, now: float) -> CostBucket:
        rate = GRAPHQL_RESTORE[plan]
        bucket = self._cost.get(key)
        if bucket is None or bucket.restore_rate != rate:
            bucket = CostBucket(
                rate * GRAPHQL_BUCKET_SECONDS, rate, rate * GRAPHQL_BUCKET_SECONDS, now
            )
            self._cost[key] = bucket
        bucket.refill(now)
        return bucket

    def reserve(self, key: tuple[str, str], plan: str, cost: int, now: float) -> tuple[bool, dict]:
        """Take `cost` points if the bucket holds them; returns (granted, throttleStatus)."""
        with self._lock:
            bucket = self._cost_bucket(key, plan, now)
            if bucket.available < cost:
                return False, bucket.status()
            bucket.available -= cost
            return True, bucket.status()

    def refund(self, key: tuple[str, str], plan: str, points: int, now: float) -> dict:
        """Give back requested − actual points; returns the throttleStatus after it."""
        with self._lock:
            bucket = self._cost_bucket(key, plan, now)
            bucket.available = min(bucket.maximum, bucket.available + max(points, 0))
            return bucket.status()

    def hit_rest(self, key: tuple[str, str], plan: str, now: float) -> tuple[bool, str, float]:
        """Count one REST call: (allowed, "used/capacity", Retry-After seconds when refused)."""
        capacity, rate = REST_LIMITS[plan]
        with self._lock:
            bucket = self._rest.get(key)
            if bucket is None or bucket.capacity != capacity:
                bucket = RequestBucket(capacity, rate, 0.0, now)
                self._rest[key] = bucket
            bucket.leak(now)
            if bucket.level + 1 > capacity:
                wait = (bucket.level + 1 - capacity) / rate
                return False, f"{math.ceil(bucket.level)}/{capacity}", wait
            bucket.level += 1
            return True, f"{math.ceil(bucket.level)}/{capacity}", 0.0
