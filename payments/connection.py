"""Whether Cartpath can take payments right now: its gateway, reached with its own keys.

Cartpath charges through one gateway account set by the app's settings (STRIPE_SECRET_KEY),
so "connected" means that account answers and accepts the keys, checked by one cheap call.
The admin does not call this on each page: payments/remembered_status.py asks it at most once
per interval and remembers the answer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from core.config import Config
from core.db import utcnow
from payments.gateway import GatewayError, GatewayUnavailable
from payments.gateways import gateway_for


class Connection(enum.StrEnum):
    CONNECTED = "connected"
    NOT_CONFIGURED = "not configured"
    REFUSED = "keys refused"
    UNREACHABLE = "unreachable"
    NOT_CHECKED = "not checked yet"


@dataclass(frozen=True)
class GatewayStatus:
    connection: Connection
    gateway: str
    detail: str
    # When the gateway was asked; None when it was not (no keys set, or not yet).
    checked_at: datetime | None = None

    @property
    def connected(self) -> bool:
        return self.connection is Connection.CONNECTED


def gateway_status(config: Config) -> GatewayStatus:
    """Ask the gateway once (no retries: a person is waiting for the answer)."""
    gateway = gateway_for(config)
    if gateway is None:
        return GatewayStatus(
            Connection.NOT_CONFIGURED,
            "none",
            "No card gateway is set: Cartpath needs STRIPE_SECRET_KEY and "
            "STRIPE_PUBLISHABLE_KEY to take payments.",
        )
    asked_at = utcnow()
    try:
        gateway.check_connection()
    except GatewayUnavailable:
        return GatewayStatus(
            Connection.UNREACHABLE,
            gateway.name,
            "The gateway did not answer; checkouts may fail to take payment. "
            "Check again in a moment.",
            asked_at,
        )
    except GatewayError:
        return GatewayStatus(
            Connection.REFUSED,
            gateway.name,
            "The gateway refused Cartpath's keys: STRIPE_SECRET_KEY is wrong or revoked.",
            asked_at,
        )
    test = config.stripe_secret_key.startswith("sk_test_")
    return GatewayStatus(
        Connection.CONNECTED,
        gateway.name,
        f"Cartpath reaches the gateway and its keys are accepted ({'test' if test else 'live'} "
        "mode).",
        asked_at,
    )


def not_checked_yet(gateway: str) -> GatewayStatus:
    """While the one caller allowed to ask this interval is still waiting for the answer."""
    return GatewayStatus(
        Connection.NOT_CHECKED,
        gateway,
        "Cartpath is asking the gateway right now. Check again in a moment.",
    )
