"""What every platform adapter hands back: frozen values, no client objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.db import utcnow


@dataclass(frozen=True)
class PlatformUser:
    id: str
    email: str = ""
    account_owner: bool = False


@dataclass(frozen=True)
class TokenGrant:
    """An access token as a platform granted it, with its expiry and refresh token."""

    access_token: str
    scopes: str
    expires_at: datetime | None = None
    refresh_token: str | None = None
    refresh_expires_at: datetime | None = None
    user: PlatformUser | None = None
    owner: PlatformUser | None = None

    def needs_refresh(self, *, margin: timedelta = timedelta(minutes=5)) -> bool:
        return self.expires_at is not None and self.expires_at - margin <= utcnow()


def expiry_in(seconds: object) -> datetime | None:
    """`expires_in` (seconds, as platforms send it) as an aware datetime."""
    if seconds in (None, ""):
        return None
    return utcnow() + timedelta(seconds=int(str(seconds)))
