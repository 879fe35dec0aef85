"""The period a numbers page shows (its `days` query parameter): Home and the Funnels
pages offer the same choice, so one offer's figures can be compared between them."""

from __future__ import annotations

from flask import abort, request

from analytics.metrics import DEFAULT_PERIOD, PERIODS


def requested_days() -> int:
    """The period asked for in days (the form's `days`), or 400 for one not offered."""
    raw = request.args.get("days")
    if not raw:
        return DEFAULT_PERIOD
    if not (raw.isdigit() and int(raw) in PERIODS):
        choices = ", ".join(str(p) for p in PERIODS[:-1]) + f" or {PERIODS[-1]}"
        abort(400, f"Choose a period of {choices} days.")
    return int(raw)
