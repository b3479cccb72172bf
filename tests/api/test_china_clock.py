"""One clock: between 00:00 and 08:00 China time a UTC host is still on yesterday's date.

Every "today" of the rules is China's (``bff.core.clock``), so a date that submission accepts
is accepted by the form check too, whatever the host's time zone says. Time is moved with
time-machine.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bff.adapters.prefill.http import HttpPrefillClient
from bff.core import clock
from bff.services.forms import current_sources
from tests.api.application_helpers import complete_answers, submit
from tests.factories import create_user, sign_in

# 18:00 UTC is 02:00 the next day in China. A ZoneInfo destination makes time-machine set the
# process's time zone too, so the host is a UTC host whatever zone the machine runs in.
EVENING_IN_UTC = (datetime.now(UTC).replace(hour=18, minute=0, second=0, microsecond=0)
                  - timedelta(days=1)).replace(tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def medical_records_unavailable(app) -> Iterator[None]:
    """The medical records answer nothing (a server that never replies), so the resident types the
    date of death; the other sources stay the sample registry."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        sample = current_sources()
        medical = HttpPrefillClient(url, timeout=0.2, failures_to_open=1, open_seconds=3600).sources().medical
        app.extensions["prefill_sources"] = replace(sample, medical=medical)
        try:
            yield
        finally:
            app.extensions["prefill_sources"] = sample


def test_china_today_is_a_day_ahead_of_a_utc_host_in_the_small_hours():
    with time_machine.travel(EVENING_IN_UTC, tick=False):
        assert clock.china_today() == date.today() + timedelta(days=1)
        assert clock.china_now().hour == 2


def test_a_date_of_chinas_today_is_accepted_by_the_form_check_and_by_submission(
        app, client, medical_records_unavailable):
    with time_machine.travel(EVENING_IN_UTC, tick=False):
        user = create_user("chenming")
        sign_in(app, client, user)
        today_in_china = clock.china_today().isoformat()
        answers = {**complete_answers("after-death", user.id),
                   "subject.death_date": today_in_china, "subject.cremation_date": today_in_china}

        checked = client.post("/api/v1/bundles/after-death/form/check", json={"answers": answers})
        assert checked.status_code == 200, checked.get_json()

        draft = client.post("/api/v1/applications", json={"bundle": "after-death", "answers": answers})
        assert draft.status_code == 201, draft.get_json()
        receipt = submit(client, draft.get_json()["number"])
        assert receipt.status_code == 201, receipt.get_json()
