"""Shops' timezones as the emulated platforms keep them: the merchant picks one in the
shop's settings, and the Admin APIs report it by its IANA name.

Controls take any name shaped like one, known to this machine's tz database or not: a
platform's list may hold a zone newer than the app's tz database, and tests need that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LONGEST_NAME = 64


def timezone_setting(value: object) -> str:
    """The timezone name a control request sets.

    :raises ValueError: not a non-empty name of at most LONGEST_NAME characters.
    """
    if not isinstance(value, str) or not value.strip() or len(value) > LONGEST_NAME:
        raise ValueError(f"timezone must be an IANA name such as America/Chicago (got {value!r})")
    return value.strip()


@dataclass(frozen=True)
class Offsets:
    """Seconds east of UTC in standard time and in daylight saving time (equal without DST)."""

    standard: int
    daylight: int


def offsets(name: str, year: int | None = None) -> Offsets:
    """The zone's offsets in `year` (this one by default); zeros for a zone this machine
    does not know."""
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return Offsets(0, 0)
    year = year or datetime.now(UTC).year
    moments = [datetime(year, month, 1, 12, tzinfo=zone) for month in (1, 7)]
    standard = [m for m in moments if not m.dst()] or moments
    daylight = [m for m in moments if m.dst()] or standard
    return Offsets(_seconds(standard[0]), _seconds(daylight[0]))


def _seconds(moment: datetime) -> int:
    offset = moment.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0
