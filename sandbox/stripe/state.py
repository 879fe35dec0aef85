"""Everything the emulated Stripe holds: accounts, their objects and idempotency records.

One `StripeState` per sandbox server, guarded by one re-entrant lock: every API call
runs its whole read-modify-write under it, so concurrent requests see Stripe's
serial behaviour. Objects are kept in their public JSON shape (what the API
answers); what Stripe never shows (the card number behind a PaymentMethod) lives
beside them in `cards`.
"""

from __future__ import annotations

import secrets
import string
import threading
from dataclasses import dataclass, field
from typing import Any

_ALPHABET = string.ascii_letters + string.digits

SECRET = "secret"  # noqa: S105 - a key kind, not a credential
PUBLISHABLE = "publishable"


def new_id(prefix: str, length: int = 24) -> str:
    """Stripe-style ids: a type prefix and random base62 (`pi_3Nx...`)."""
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass
class CardSecret:
    """What the emulated issuer knows about a PaymentMethod's card."""

    number: str
    # Set once the card was authenticated for off-session reuse
    # (a confirmed PaymentIntent with setup_future_usage=off_session).
    set_up_off_session: bool = False
    # A PaymentMethod used without being attached to a customer cannot be reused.
    consumed: bool = False


@dataclass
class IdempotencyRecord:
    key: str
    fingerprint: str
    created: float
    request_id: str
    status: int = 0
    body: bytes = b""


@dataclass
class Account:
    id: str
    secret_key: str
    publishable_key: str
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    cards: dict[str, CardSecret] = field(default_factory=dict)
    # Where 3-D Secure sends the shopper back, per PaymentIntent (not in Stripe's object).
    return_urls: dict[str, str | None] = field(default_factory=dict)
    idempotency: dict[str, IdempotencyRecord] = field(default_factory=dict)
    in_flight: set[str] = field(default_factory=set)

    def add(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.objects[obj["id"]] = obj
        return obj

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [obj for obj in self.objects.values() if obj["object"] == kind]

    def describe(self) -> dict[str, Any]:
        """The account's contents for the control API (keys shown: sandbox-only values)."""
        kinds = ("customer", "payment_method", "payment_intent", "charge", "refund")
        return {
            "id": self.id,
            "secret_key": self.secret_key,
            "publishable_key": self.publishable_key,
            **{f"{kind}s": self.of_type(kind) for kind in kinds},
            "idempotency_keys": [
                {
                    "key": record.key,
                    "created": record.created,
                    "status": record.status,
                    "request_id": record.request_id,
                }
                for record in self.idempotency.values()
            ],
            "idempotency_keys_in_flight": sorted(self.in_flight),
        }


@dataclass
class StripeState:
    lock: threading.RLock = field(default_factory=threading.RLock)
    accounts: dict[str, Account] = field(default_factory=dict)

    def register(self, secret_key: str, publishable_key: str) -> Account:
        """Add an account, or return the one that already has exactly these keys."""
        for key, prefix in ((secret_key, "sk_test_"), (publishable_key, "pk_test_")):
            if not key.startswith(prefix) or len(key) <= len(prefix):
                raise ValueError(f"a sandbox key must look like {prefix}...")
        with self.lock:
            for account in self.accounts.values():
                if (account.secret_key, account.publishable_key) == (
                    secret_key,
                    publishable_key,
                ):
                    return account
                if secret_key == account.secret_key or publishable_key == account.publishable_key:
                    raise ValueError("one of these keys belongs to another account")
            account = Account(new_id("acct", 16), secret_key, publishable_key)
            self.accounts[account.id] = account
            return account

    def by_key(self, key: str) -> tuple[Account, str] | None:
        with self.lock:
            for account in self.accounts.values():
                if secrets.compare_digest(key.encode(), account.secret_key.encode()):
                    return account, SECRET
                if secrets.compare_digest(key.encode(), account.publishable_key.encode()):
                    return account, PUBLISHABLE
        return None

    def reset(self) -> None:
        with self.lock:
            self.accounts.clear()
