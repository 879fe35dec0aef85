"""The shop's calendar days: from its midnight to the next in its IANA timezone, UTC
days for a timezone unknown or not known to the tz database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.shop_calendar import FALLBACK_TIMEZONE, ShopCalendar, known_timezone

LA = ShopCalendar.named("America/Los_Angeles")


@pytest.mark.parametrize(
    ("reported", "kept"),
    [
        ("America/New_York", "America/New_York"),
        (" Europe/Berlin ", "Europe/Berlin"),
        ("UTC", "UTC"),
        ("Mars/Olympus_Mons", FALLBACK_TIMEZONE),  # no such zone
        ("Eastern Time (US & Canada)", FALLBACK_TIMEZONE),  # a display name, not a key
        ("../../etc/passwd", FALLBACK_TIMEZONE),
        ("", FALLBACK_TIMEZONE),
        (None, FALLBACK_TIMEZONE),
    ],
)
def test_only_timezones_the_tz_database_knows_are_kept(reported, kept):
    assert known_timezone(reported) == kept
    assert ShopCalendar.named(reported).name == kept


def test_a_day_runs_from_the_shops_midnight_to_the_next():
    start, end = LA.bounds(date(2026, 7, 14))

    assert start == datetime(2026, 7, 14, 7, tzinfo=UTC)  # PDT, UTC-7
    assert end - start == timedelta(hours=24)
    assert LA.day_of(datetime(2026, 7, 15, 6, 30, tzinfo=UTC)) == date(2026, 7, 14)  # 23:30
    assert LA.day_of(end) == date(2026, 7, 15)


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 8), 23), (date(2026, 11, 1), 25), (date(2026, 3, 9), 24)],
)
def test_the_days_the_clocks_change_are_shorter_or_longer_and_meet_the_next(day, hours):
    start, end = LA.bounds(day)

    assert end - start == timedelta(hours=hours)
    assert LA.bounds(day + timedelta(days=1))[0] == end


def test_a_shop_without_a_timezone_has_utc_days():
    calendar = ShopCalendar.named(None)

    assert calendar.bounds(date(2026, 7, 14)) == (
        datetime(2026, 7, 14, tzinfo=UTC),
        datetime(2026, 7, 15, tzinfo=UTC),
    )
