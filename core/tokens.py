"""Public tokens (checkouts, offers): unguessable when issued, and recognised by shape.

A string that could not have been issued is refused before any lookup: the database is
never asked to compare what it may not even accept (PostgreSQL refuses a NUL with an
error, which would otherwise be a 500 instead of "not found").
"""

from __future__ import annotations

import re
import secrets

# token_urlsafe(24): 32 characters of URL-safe base64; the columns hold up to 64.
_ISSUED = re.compile(r"[A-Za-z0-9_-]{1,64}")


def new_token() -> str:
    """Unguessable: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def could_be_issued(token: str) -> bool:
    """Whether `token` has the shape of one new_token issues (worth looking up)."""
    return _ISSUED.fullmatch(token) is not None
