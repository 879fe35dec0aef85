"""BigCommerce's store-wide request quota: N requests per 30-second window.

https://developer.bigcommerce.com/docs/start/best-practices/api-rate-limits
(bigcommerce/docs docs/api-docs/getting-started/api-rate-limits.mdx): the quota is
shared by every app on the store, 150 per 30 s on Standard/Plus, 450 on Pro;
each answer carries X-Rate-Limit-Time-Window-Ms, -Time-Reset-Ms,
-Requests-Quota and -Requests-Left, and a 429 means sleep Time-Reset-Ms.
Time is the sandbox clock's, so tests can run out a window with `advance`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.bigcommerce.state import BigCommerceState

WINDOW_SECONDS = 30.0


@dataclass(frozen=True)
class Quota:
    allowed: bool
    quota: int
    left: int
    reset_ms: int

    def headers(self) -> dict[str, str]:
        return {
            "X-Rate-Limit-Time-Window-Ms": str(int(WINDOW_SECONDS * 1000)),
            "X-Rate-Limit-Time-Reset-Ms": str(self.reset_ms),
            "X-Rate-Limit-Requests-Quota": str(self.quota),
            "X-Rate-Limit-Requests-Left": str(self.left),
        }


def take(state: BigCommerceState, store_hash: str, quota: int, now: float) -> Quota:
    """Count one request against the store's current window (a new one starts when it ends)."""
    with state.lock:
        started, used = state.rate_windows.get(store_hash, (now, 0))
        if now - started >= WINDOW_SECONDS:
            started, used = now, 0
        allowed = used < quota
        if allowed:
            used += 1
        state.rate_windows[store_hash] = (started, used)
        reset_ms = max(int((started + WINDOW_SECONDS - now) * 1000), 1)
        return Quota(allowed, quota, quota - used, reset_ms)
