"""The one clock: the moment in UTC, and the date and time in China.

Every "today" of the domain (a date may not be in the future, a case is overdue, a due date
counts from acceptance) is China's, never the host's: on a host in UTC the local date is still
yesterday between 00:00 and 08:00 China time. Pure rules take "today" as a parameter; the
edges of the system (services, adapters) read it here, so one place decides what time it is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def utc_now() -> datetime:
    """The current moment, timezone-aware, in UTC (what the database stores)."""
    return datetime.now(UTC)


def china_now() -> datetime:
    """The current moment as a wall clock in China shows it."""
    return utc_now().astimezone(CHINA)


def china_today() -> date:
    """Today's date in China."""
    return china_now().date()


def china_date(moment: datetime) -> date:
    """The calendar date in China of an aware timestamp."""
    return moment.astimezone(CHINA).date()
