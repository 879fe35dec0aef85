"""Platform time for the sandbox: real time, optionally sped up and moved forward.

Every platform rule that involves time (token expiry, leaky-bucket restore,
webhook retry schedules, Retry-After) is written in platform seconds against this
clock, so a test can run Shopify's 4-hour retry schedule in seconds (`scale`) or
expire a 60-minute token at once (`advance`) without the rule changing.
"""

from __future__ import annotations

import threading
import time


class SandboxClock:
    """Platform seconds = real seconds / scale, plus an offset moved by `advance`."""

    def __init__(self, scale: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._scale = scale
        self._real_origin = time.time()
        self._platform_origin = self._real_origin

    def now(self) -> float:
        """Platform time as a Unix timestamp (float seconds)."""
        with self._lock:
            return self._platform_origin + (time.time() - self._real_origin) / self._scale

    @property
    def scale(self) -> float:
        return self._scale

    def set_scale(self, scale: float) -> None:
        """Change the speed from now on without jumping: 0.01 makes time run 100x faster."""
        if not 0 < scale <= 1000:
            raise ValueError("scale must be in (0, 1000]")
        with self._lock:
            current = self._platform_origin + (time.time() - self._real_origin) / self._scale
            self._real_origin, self._platform_origin, self._scale = time.time(), current, scale

    def advance(self, seconds: float) -> None:
        """Move platform time forward (expire tokens, age deliveries)."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._platform_origin += seconds

    def sleep(self, platform_seconds: float) -> None:
        """Wait `platform_seconds` of platform time."""
        time.sleep(max(platform_seconds, 0) * self._scale)

    def real_seconds(self, platform_seconds: float) -> float:
        """How long `platform_seconds` lasts on the wall clock at the current scale."""
        return platform_seconds * self._scale

    def reset(self) -> None:
        with self._lock:
            self._scale = 1.0
            self._real_origin = self._platform_origin = time.time()
