"""The item graph's rules (pure): order, cycles, blockers, release, cascade, expected dates, critical path."""

from __future__ import annotations

from datetime import date

import pytest

from bff.core import graph
from bff.core.applications import APPROVED, NOT_POSSIBLE, PROCESSING, REJECTED, SUBMITTED, SUPPLEMENT_REQUESTED, WAITING
from bff.core.calendar import add_working_days
from bff.core.catalog import default_catalog

# The birth bundle's shape: medical certificate -> {vaccination, hukou, maternity}; hukou -> {insurance, card}.
BIRTH = {"medical": (), "vaccination": ("medical",), "hukou": ("medical",), "maternity": ("medical",),
         "insurance": ("hukou",), "card": ("hukou",)}
LIMITS = {"medical": 3, "vaccination": 5, "hukou": 5, "maternity": 15, "insurance": 5, "card": 10}


def test_a_topological_order_puts_every_need_before_its_users_and_keeps_the_given_order_otherwise():
    order = graph.topological_order(BIRTH, ["medical", "vaccination", "hukou", "insurance", "card", "maternity"])
    assert order == ["medical", "vaccination", "hukou", "insurance", "card", "maternity"]
    for item, needs in BIRTH.items():
        assert all(order.index(need) < order.index(item) for need in needs)


def test_a_listed_order_that_puts_a_user_first_is_corrected():
    assert graph.topological_order({"a": ("b",), "b": ()}, ["a", "b"]) == ["b", "a"]


def test_a_cycle_is_found_and_named_round_to_its_start():
    assert graph.find_cycle({"a": ("b",), "b": ("c",), "c": ("a",)}) == ["a", "b", "c", "a"]
    assert graph.find_cycle({"a": ("a",)}) == ["a", "a"]
    assert graph.find_cycle(BIRTH) is None
    with pytest.raises(graph.GraphCycle) as raised:
        graph.topological_order({"x": ("y",), "y": ("x",)})
    assert raised.value.cycle == ["x", "y", "x"]


def test_a_need_the_application_does_not_include_is_not_waited_for():
    assert graph.within(BIRTH, ["hukou", "card"]) == {"hukou": (), "card": ("hukou",)}


def test_dependents_are_the_reverse_of_needs():
    users = graph.dependents(BIRTH)
    assert users["medical"] == ("hukou", "maternity", "vaccination")
    assert users["hukou"] == ("card", "insurance")
    assert users["card"] == ()


def test_blockers_are_the_needed_items_not_approved_whatever_they_are_doing():
    statuses = {"medical": SUPPLEMENT_REQUESTED, "hukou": WAITING}
    assert graph.blockers(("medical",), statuses) == ["medical"]
    assert graph.blockers(("medical",), {"medical": APPROVED}) == []
    assert graph.blockers(("absent",), {}) == []


def test_a_case_is_ready_when_its_needs_are_approved_and_nothing_holds_it():
    approved = {"medical": APPROVED}
    assert graph.is_ready(("medical",), approved, None)
    assert graph.is_ready(("medical",), approved, {})
    assert not graph.is_ready(("medical",), approved, {"consent": "pending"})
    assert not graph.is_ready(("medical",), {"medical": PROCESSING}, None)


def test_the_approval_of_the_medical_certificate_releases_its_users_but_not_their_users():
    statuses = {"medical": APPROVED, "vaccination": WAITING, "hukou": WAITING, "maternity": WAITING,
                "insurance": WAITING, "card": WAITING}
    assert graph.ready_to_release(BIRTH, statuses) == ["hukou", "maternity", "vaccination"]
    assert graph.ready_to_release(BIRTH, statuses, {"maternity": {"consent": "pending"}}) == ["hukou", "vaccination"]


def test_a_rejection_ends_every_open_case_that_needs_it_transitively_in_dependency_order():
    statuses = {"medical": REJECTED, "vaccination": WAITING, "hukou": WAITING, "maternity": WAITING,
                "insurance": WAITING, "card": WAITING}
    lost = graph.cascade("medical", BIRTH, statuses)
    assert set(lost) == {"vaccination", "hukou", "maternity", "insurance", "card"}
    assert lost.index("hukou") < lost.index("card") and lost.index("hukou") < lost.index("insurance")


def test_a_cascade_leaves_cases_that_already_ended_alone():
    statuses = {"medical": APPROVED, "hukou": REJECTED, "insurance": WAITING, "card": NOT_POSSIBLE}
    assert graph.cascade("hukou", BIRTH, statuses) == ["insurance"]


def test_the_first_failed_need_is_named():
    assert graph.failed_need(("medical", "hukou"), {"medical": APPROVED, "hukou": REJECTED}) == "hukou"
    assert graph.failed_need(("medical",), {"medical": PROCESSING}) is None


def test_the_critical_path_is_the_longest_chain_of_working_days():
    assert graph.critical_path_days(BIRTH, LIMITS) == 18  # medical 3 + maternity 15, or + hukou 5 + card 10
    longer_maternity = {**LIMITS, "maternity": 20}
    assert graph.critical_path_days(BIRTH, longer_maternity) == 23
    assert graph.critical_path(BIRTH, longer_maternity) == ["medical", "maternity"]
    without_maternity = graph.within(BIRTH, [item for item in BIRTH if item != "maternity"])
    assert graph.critical_path_days(without_maternity, LIMITS) == 18  # medical 3 + hukou 5 + card 10
    assert graph.critical_path(without_maternity, LIMITS) == ["medical", "hukou", "card"]
    assert graph.critical_path_days({}, {}) == 0


def test_expected_dates_chain_working_days_over_weekends_and_holidays():
    # Friday 25 September 2026 is in the Mid-Autumn holiday; National Day follows on 1–7 October.
    today = date(2026, 9, 24)
    expected = graph.expected_dates(BIRTH, LIMITS, today)
    assert expected["medical"] == graph.Expected(today, add_working_days(today, 3))
    medical_done = expected["medical"].finish
    assert medical_done == date(2026, 9, 30)  # 28, 29, 30 September (25–27 holiday)
    assert expected["hukou"] == graph.Expected(medical_done, add_working_days(medical_done, 5))
    assert expected["hukou"].finish == date(2026, 10, 13)  # 8, 9, 10 (a make-up Saturday), 12, 13 October
    assert expected["card"].start == expected["hukou"].finish


def test_known_dates_of_decided_and_dispatched_cases_fix_their_users_dates():
    today = date(2026, 11, 2)
    known = {"medical": graph.Expected(date(2026, 10, 26), date(2026, 10, 28))}  # approved last week
    expected = graph.expected_dates(BIRTH, LIMITS, today, known)
    assert expected["medical"].finish == date(2026, 10, 28)
    assert expected["hukou"].start == today  # cannot start in the past
    assert expected["hukou"].finish == add_working_days(today, 5)


def test_an_application_schedule_leaves_out_what_failed_and_promises_its_critical_path():
    today = date(2026, 11, 2)
    cases = [graph.CaseTimes("medical", APPROVED, (), 3, date(2026, 10, 26), date(2026, 10, 29), date(2026, 10, 28)),
             graph.CaseTimes("hukou", SUBMITTED, ("medical",), 5, date(2026, 10, 28), date(2026, 11, 4)),
             graph.CaseTimes("card", WAITING, ("hukou",), 10),
             graph.CaseTimes("maternity", REJECTED, ("medical",), 15, date(2026, 10, 28), date(2026, 11, 18))]
    plan = graph.schedule(cases, today)
    assert plan.critical_path_days == 18
    assert plan.expected["hukou"].finish == date(2026, 11, 4)
    assert plan.expected["card"] == graph.Expected(date(2026, 11, 4), add_working_days(date(2026, 11, 4), 10))
    assert "maternity" not in plan.expected
    assert plan.expected_complete_on == plan.expected["card"].finish


def test_a_finished_application_expects_nothing_more():
    cases = [graph.CaseTimes("medical", APPROVED, (), 3, date(2026, 10, 26), None, date(2026, 10, 28))]
    assert graph.schedule(cases, date(2026, 11, 2)).expected_complete_on is None


def test_the_shipped_bundles_have_no_cycle_and_their_promises():
    catalog = default_catalog()
    for bundle in catalog.bundles.values():
        needs = {item.code: item.needs for item in bundle.items}
        assert graph.find_cycle(needs) is None
    birth = catalog.bundle("birth")
    needs = graph.within({item.code: item.needs for item in birth.items}, [item.code for item in birth.items])
    assert needs["birth-registration"] == ("birth-medical-certificate",)
    assert needs["social-security-card"] == ("birth-registration",)


def test_an_approval_must_give_what_its_item_produces_and_a_citizen_id_number_must_be_valid():
    today = date(2026, 12, 7)
    assert graph.output_errors(("citizen_id_number",), {}, today) == {
        "outputs.citizen_id_number": [graph.MISSING_OUTPUT]}
    bad = graph.output_errors(("citizen_id_number",), {"citizen_id_number": "330106202612010012"}, today)
    assert bad["outputs.citizen_id_number"][0].en.startswith("Not a valid citizen ID number")
    from bff.core.idnumber import make_id_number

    assert graph.output_errors(("citizen_id_number",),
                               {"citizen_id_number": make_id_number("330106", date(2026, 12, 1), 12)}, today) == {}
    extra = graph.output_errors((), {"made_up": "x"}, today)
    assert list(extra) == ["outputs.made_up"]
    assert graph.output_errors((), {"certificate_number": "EC-1"}, today) == {}
    assert "outputs.licence" in graph.output_errors(("licence",), {"licence": "x" * 61}, today)


# --- The statuses the graph adds to the case machine -------------------------------------------

def test_waiting_and_not_possible_in_the_case_machine():
    from bff.core import applications as rules

    assert rules.can_transition(WAITING, SUBMITTED) and rules.can_transition(WAITING, NOT_POSSIBLE)
    assert rules.can_transition(WAITING, rules.WITHDRAWN) and not rules.can_transition(WAITING, rules.ACCEPTED)
    assert NOT_POSSIBLE in rules.TERMINAL and rules.CASE_TRANSITIONS[NOT_POSSIBLE] == frozenset()
    assert rules.STATUS_TEXT[WAITING].zh == "等待前序事项" and rules.STATUS_TEXT[NOT_POSSIBLE].en == "Not possible"
    # A department's callback never walks a waiting case: it was never sent.
    assert rules.path_to(WAITING, APPROVED) is None and rules.path_to(WAITING, rules.ACCEPTED) is None


def test_an_application_status_counts_waiting_as_not_yet_started_and_not_possible_as_rejected():
    from bff.core import applications as rules

    assert rules.derive_application_status([SUBMITTED, WAITING, WAITING]) == rules.SUBMITTED
    assert rules.derive_application_status([WAITING]) == rules.SUBMITTED
    assert rules.derive_application_status([APPROVED, WAITING]) == rules.IN_PROGRESS
    assert rules.derive_application_status([SUPPLEMENT_REQUESTED, WAITING]) == rules.ACTION_REQUIRED
    assert rules.derive_application_status([REJECTED, NOT_POSSIBLE]) == rules.PARTIALLY_REJECTED
    assert rules.derive_application_status([APPROVED, NOT_POSSIBLE]) == rules.PARTIALLY_REJECTED
    for statuses in ([SUBMITTED, PROCESSING], [APPROVED, SUBMITTED], [SUBMITTED, SUBMITTED]):
        # a release (waiting -> submitted) never changes the application's status
        released = [WAITING if s == SUBMITTED else s for s in statuses]
        assert rules.derive_application_status(statuses) == rules.derive_application_status(released)


def test_withdrawal_is_allowed_while_every_case_is_submitted_or_waiting():
    from bff.core import applications as rules

    assert rules.can_withdraw([SUBMITTED, WAITING, WAITING])
    assert not rules.can_withdraw([APPROVED, WAITING])
    assert not rules.can_withdraw([])
