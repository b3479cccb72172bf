"""The sweeper reads only cases due by the horizon: every case it could flag is within it."""

from __future__ import annotations

from datetime import date, timedelta

from bff.core.calendar import due_status, flag_horizon


def test_every_due_date_that_would_be_flagged_lies_within_the_horizon_all_year_round():
    start = date(2026, 1, 1)
    for offset in range(365 + 60):  # every day of a year, the Spring Festival and National Day included
        today = start + timedelta(days=offset)
        horizon = flag_horizon(today)
        for ahead in range(30):
            due = today + timedelta(days=ahead)
            if due_status(due, today) != "on_time":
                assert due <= horizon, (today, due, horizon)
        assert due_status(horizon + timedelta(days=1), today) == "on_time"
