"""Stripe's idempotency layer for POST requests (https://docs.stripe.com/idempotency).

- The first request with a key saves its status and body once the endpoint has begun
  executing, success or error (500s too); a retry with the same key and parameters
  gets that saved answer with `Idempotent-Replayed: true`.
- The same key with other parameters or another endpoint is a 400 `idempotency_error`.
- A request whose key is still executing gets a 409 (https://docs.stripe.com/api/errors:
  "409 Conflict - The request conflicts with another request (perhaps due to using
  the same idempotent key)"), and nothing is saved for it.
- Keys are scoped to the account and may be pruned 24 hours after first use (platform
  time); a pruned key runs as a new request. Keys are at most 255 characters.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from sandbox.stripe.errors import StripeError, invalid_param
from sandbox.stripe.state import Account, IdempotencyRecord

KEEP_FOR = 24 * 3600.0
MAX_KEY_LENGTH = 255


def fingerprint(method: str, path: str, params: dict[str, Any]) -> str:
    """What "the same request" means: endpoint and parameters, order-insensitive."""
    canonical = json.dumps([method, path, params], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyLayer:
    """Claims keys before an endpoint runs and saves what it answered.

    Its own lock, separate from the state lock, so a request with a key that is
    still executing is refused at once instead of queueing behind it.
    """

    def __init__(self) -> None:
        # Taken alone, or after the state lock (snapshots); never the other way round.
        self.lock = threading.Lock()

    def begin(
        self, account: Account, key: str, print_: str, now: float
    ) -> IdempotencyRecord | None:
        """The saved answer to replay, or None once the key is claimed for this request.

        :raises StripeError: 400 on a bad key or a parameter mismatch, 409 if in flight.
        """
        if not key or len(key) > MAX_KEY_LENGTH:
            raise invalid_param(
                f"Invalid Idempotency-Key: must be 1 to {MAX_KEY_LENGTH} characters.",
                "Idempotency-Key",
            )
        with self.lock:
            self._prune(account, now)
            if key in account.in_flight:
                raise StripeError(
                    409,
                    "There is currently another in-progress request using this Idempotent Key "
                    "(that probably means you submitted twice, and the other request is still "
                    f"going through): {key}. Please try again later.",
                    code="idempotency_key_in_use",
                    saved=False,
                )
            record = account.idempotency.get(key)
            if record is None:
                account.in_flight.add(key)
                return None
            if record.fingerprint != print_:
                raise StripeError(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters "
                    f"they were first used with. Try using a key other than '{key}' if you "
                    "meant to execute a different request.",
                    type="idempotency_error",
                    saved=False,
                )
            return record

    def finish(self, account: Account, key: str, record: IdempotencyRecord | None) -> None:
        """Release the key; save `record` (None when the answer must not be replayed)."""
        with self.lock:
            account.in_flight.discard(key)
            if record is not None:
                account.idempotency[key] = record

    @staticmethod
    def _prune(account: Account, now: float) -> None:
        expired = [k for k, r in account.idempotency.items() if now - r.created >= KEEP_FOR]
        for key in expired:
            del account.idempotency[key]
