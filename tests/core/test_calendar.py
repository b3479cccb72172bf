from datetime import UTC, date, datetime

import pytest

from bff.core.calendar import (
    add_working_days,
    due_date,
    due_status,
    is_working_day,
    schedule_for,
    working_days_between,
)


@pytest.mark.parametrize("day", [date(2025, 1, 1), date(2025, 1, 28), date(2025, 2, 4), date(2025, 10, 8),
                                 date(2026, 1, 2), date(2026, 2, 16), date(2026, 2, 23), date(2026, 10, 7),
                                 date(2026, 9, 25)])
def test_public_holidays_are_not_working_days(day: date) -> None:
    assert not is_working_day(day)


@pytest.mark.parametrize("day", [date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28),
                                 date(2025, 10, 11), date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28),
                                 date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10)])
def test_make_up_weekend_days_are_working_days(day: date) -> None:
    assert day.weekday() >= 5
    assert is_working_day(day)


def test_ordinary_weekends_are_rest_days_and_weekdays_are_working_days() -> None:
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert is_working_day(date(2026, 11, 26))  # Thursday


def test_a_limit_runs_from_the_next_day_and_skips_the_spring_festival() -> None:
    # Accepted Friday 13 Feb 2026; Sat 14 Feb is a make-up workday, then 15–23 Feb are off.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)


def test_a_twenty_day_limit_over_national_day_2026() -> None:
    assert add_working_days(date(2026, 9, 28), 20) == date(2026, 10, 30)


def test_zero_days_is_the_same_day_and_negative_is_refused() -> None:
    assert add_working_days(date(2026, 3, 2), 0) == date(2026, 3, 2)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1)


def test_due_date_uses_the_china_date_of_a_utc_timestamp() -> None:
    late_evening_utc = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 01:00 Tuesday in Beijing
    assert due_date(late_evening_utc, 1) == date(2026, 3, 4)


def test_working_days_between_counts_the_end_not_the_start() -> None:
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 6)) == 4
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 2)) == -4


def test_due_status_flags_due_within_one_working_day_and_overdue() -> None:
    due = date(2026, 3, 9)  # Monday
    assert due_status(due, date(2026, 3, 2)) == "on_time"
    assert due_status(due, date(2026, 3, 6)) == "due_soon"  # Friday: one working day left
    assert due_status(due, date(2026, 3, 9)) == "due_soon"
    assert due_status(due, date(2026, 3, 10)) == "overdue"


def test_2027_is_marked_as_an_estimate_until_the_state_council_publishes_it() -> None:
    schedule = schedule_for(2027)
    assert schedule is not None and not schedule.official
    assert not is_working_day(date(2027, 2, 8))  # 初三 under the statutory rules
    assert schedule_for(2025).official and schedule_for(2026).official  # type: ignore[union-attr]


def test_a_year_without_a_schedule_counts_weekdays() -> None:
    assert schedule_for(2030) is None
    assert add_working_days(date(2030, 1, 4), 1) == date(2030, 1, 7)
