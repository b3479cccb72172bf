"""Working days on the Chinese calendar, for statutory time limits (法定办结时限).

A day is a working day when it is a weekday that is not a public holiday, or a
weekend day that the State Council declared a make-up workday (调休上班).
The schedules below are data, one per year, copied from the State Council
General Office's annual notice (国务院办公厅关于某年部分节假日安排的通知):

- 2025: 国办发明电〔2024〕12号 (12 Nov 2024), under the 2024 revision of
  《全国年节及纪念日放假办法》 (Spring Festival and Labour Day one day longer).
- 2026: 国办发明电〔2025〕7号 (Nov 2025).
- 2027: NOT published when this was written. The 2027 entry is an ESTIMATE
  from the statutory rules alone: the 13 statutory days of the 2024 办法
  (元旦 1, 春节 除夕–初三 4, 清明 1, 劳动节 May 1–2, 端午 1, 中秋 1, 国庆 Oct 1–3)
  and its rule that a holiday falling on a Saturday or Sunday is made up on
  the following working day(s). No make-up workdays are guessed. Replace it
  with the official notice when it is published (``official=False`` marks it).

Years without a schedule count weekdays only; :func:`schedule_for` tells the
caller so. Counting rule for a time limit of ``n`` working days: the day of
acceptance does not count (the limit runs "from the next day"), and the due
date is the ``n``-th working day after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from bff.core.clock import china_date


@dataclass(frozen=True)
class HolidaySchedule:
    year: int
    holidays: frozenset[date]
    make_up_workdays: frozenset[date]
    official: bool
    source: str


def _days(year: int, *spans: tuple[int, int, int, int] | tuple[int, int]) -> frozenset[date]:
    """``(month, day)`` single days and ``(month, day, month, day)`` inclusive ranges."""
    result: set[date] = set()
    for span in spans:
        first = date(year, span[0], span[1])
        last = date(year, span[2], span[3]) if len(span) == 4 else first  # type: ignore[misc]
        while first <= last:
            result.add(first)
            first += timedelta(days=1)
    return frozenset(result)


SCHEDULES: dict[int, HolidaySchedule] = {
    2025: HolidaySchedule(
        2025,
        holidays=_days(2025, (1, 1), (1, 28, 2, 4), (4, 4, 4, 6), (5, 1, 5, 5), (5, 31, 6, 2),
                       (10, 1, 10, 8)),
        make_up_workdays=_days(2025, (1, 26), (2, 8), (4, 27), (9, 28), (10, 11)),
        official=True, source="国办发明电〔2024〕12号",
    ),
    2026: HolidaySchedule(
        2026,
        holidays=_days(2026, (1, 1, 1, 3), (2, 15, 2, 23), (4, 4, 4, 6), (5, 1, 5, 5),
                       (6, 19, 6, 21), (9, 25, 9, 27), (10, 1, 10, 7)),
        make_up_workdays=_days(2026, (1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)),
        official=True, source="国办发明电〔2025〕7号",
    ),
    # ESTIMATE (see the module docstring): statutory days, weekend ones made up on the next
    # working days. 2027: 除夕 Feb 5, 清明 Apr 5, 端午 Jun 9, 中秋 Sep 15.
    2027: HolidaySchedule(
        2027,
        holidays=_days(2027, (1, 1), (2, 5, 2, 10), (4, 5), (5, 1, 5, 4), (6, 9), (9, 15),
                       (10, 1, 10, 5)),
        make_up_workdays=frozenset(),
        official=False, source="estimate from 《全国年节及纪念日放假办法》 (2024 revision)",
    ),
}


def schedule_for(year: int) -> HolidaySchedule | None:
    return SCHEDULES.get(year)


def is_working_day(day: date) -> bool:
    schedule = SCHEDULES.get(day.year)
    if schedule is not None:
        if day in schedule.make_up_workdays:
            return True
        if day in schedule.holidays:
            return False
    return day.weekday() < 5


@lru_cache(maxsize=4096)
def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself never counts).

    Cached: every progress read asks it for each case's expected date, from the same few days."""
    if count < 0:
        raise ValueError("a time limit cannot be negative")
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days in ``(start, end]``; negative when ``end`` is before ``start``."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for offset in range(1, (end - start).days + 1)
               if is_working_day(start + timedelta(days=offset)))


def due_date(accepted_at: datetime, time_limit_working_days: int) -> date:
    """The last day to finish a case accepted at ``accepted_at`` (end of that day, China time)."""
    return add_working_days(china_date(accepted_at), time_limit_working_days)


@lru_cache(maxsize=4096)  # (due, today) pairs repeat across every progress read of a day
def due_status(due: date, today: date) -> str:
    """``overdue`` after the due date, ``due_soon`` within one working day, else ``on_time``."""
    if today > due:
        return "overdue"
    if not _more_working_days_than(today, due, 1):
        return "due_soon"
    return "on_time"


def flag_horizon(today: date) -> date:
    """The latest due date that :func:`due_status` can flag today: the day before the second working
    day after today (a holiday week puts it more than a week away). Cases due later are on time."""
    return add_working_days(today, 2) - timedelta(days=1)


def _more_working_days_than(start: date, end: date, count: int) -> bool:
    """Whether ``(start, end]`` holds more than ``count`` working days (stops counting there)."""
    found = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            found += 1
            if found > count:
                return True
    return False
