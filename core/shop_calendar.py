"""The shop's own calendar days: the one definition of "a day" for every admin page.

Merchants read "today" and "the last 7 days" by their shop's clock, so a day runs from
midnight to midnight in the shop's IANA timezone (as its platform reports it,
platforms/profile.py), not in UTC. A shop whose timezone is unknown, or named in a way
this machine's tz database does not know, gets UTC days. A day is 23 or 25 hours long
when the clocks change; consecutive days always meet exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from core.db import utcnow

FALLBACK_TIMEZONE = "UTC"


@cache
def _known_names() -> frozenset[str]:
    return frozenset(available_timezones())


def known_timezone(name: str | None) -> str:
    """`name` if the tz database knows it (an IANA key such as "America/New_York"),
    else FALLBACK_TIMEZONE."""
    cleaned = (name or "").strip()
    return cleaned if cleaned in _known_names() else FALLBACK_TIMEZONE


@dataclass(frozen=True)
class ShopCalendar:
    """Days, and moments shown to people, in one shop's timezone."""

    zone: ZoneInfo

    @classmethod
    def named(cls, timezone: str | None) -> ShopCalendar:
        """The calendar of a shop whose platform reports `timezone` (None: not known yet)."""
        return cls(ZoneInfo(known_timezone(timezone)))

    @property
    def name(self) -> str:
        return self.zone.key

    def day_of(self, moment: datetime) -> date:
        """The shop's date at `moment` (an aware datetime)."""
        return moment.astimezone(self.zone).date()

    def today(self) -> date:
        return self.day_of(utcnow())

    def bounds(self, day: date) -> tuple[datetime, datetime]:
        """[the shop's midnight starting `day`, the next one), in UTC for the database."""
        return self._midnight(day), self._midnight(day + timedelta(days=1))

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.zone).astimezone(UTC)

    def local(self, moment: datetime) -> datetime:
        """`moment` on the shop's clock, for display (its %Z is the zone's abbreviation)."""
        return moment.astimezone(self.zone)
