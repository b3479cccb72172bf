"""A home purchase over real HTTP: the title is registered on the workbench, then the water, power and
gas companies (the department simulator here, as in the demo) each get the title number and transfer."""

from __future__ import annotations

from sqlalchemy import select

from bff.store.models import Case
from tests.adapters.departments_helpers import bff_and_simulator, wait_until
from tests.adapters.test_departments_webhook import approve_in_workbench, delivering, fresh
from tests.adapters.test_graph_dispatch import spy_on
from tests.api.application_helpers import case_of, submitted_application

UTILITIES = ("water-transfer", "power-transfer", "gas-transfer")


def test_the_utilities_transfer_only_once_the_title_is_registered_and_use_its_number(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SIMULATED_DEPARTMENTS", "water,power,gas")
    with bff_and_simulator(app, monkeypatch) as simulator:
        received = spy_on(simulator)
        submitted = submitted_application(app, client, "home-purchase")
        assert received == []  # the title (workbench) and the loan (workbench here) go first
        approve_in_workbench(app, submitted["receipt"], "property-transfer-registration")
        references = [case_of(submitted["receipt"], item) for item in UTILITIES]
        wait_until(delivering(app, lambda: fresh(select(Case.status).where(Case.reference.in_(references)))
                              == ["approved"] * 3))
    title = fresh(select(Case).where(Case.reference == case_of(submitted["receipt"], "property-transfer-registration")))[0]
    assert sorted(m["case"]["department"] for m in received) == ["gas", "power", "water"]
    for message in received:
        assert message["inputs"]["title_certificate_number"]["value"] == title.decision["certificate"]
