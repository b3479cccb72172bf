"""The rules of heirs' consent: who is asked, what an answer may be, and what follows from the answers."""

from __future__ import annotations

from datetime import date

import pytest

from bff.core import consents as rules
from bff.core.errors import Conflict, ValidationFailed
from bff.core.ports import Relative
from bff.core.text import Text

DEADLINE = date(2026, 12, 18)


def relative(ref: str, relation: str, *, died: date | None = None) -> Relative:
    return Relative(ref, relation, f"name-{ref}", f"33010619500101{ref[-4:]}", died)


def test_first_order_heirs_are_the_living_spouse_children_and_parents():
    heirs = rules.first_order_heirs([
        relative("p-0001", "spouse"), relative("p-0002", "child"), relative("p-0003", "sibling"),
        relative("p-0004", "parent", died=date(2001, 5, 1)), relative("p-0005", "parent"),
    ])
    assert [(h.ref, h.relation) for h in heirs] == [("p-0001", "spouse"), ("p-0002", "child"), ("p-0005", "parent")]


def test_an_heir_listed_twice_is_asked_once():
    assert len(rules.first_order_heirs([relative("p-0001", "child"), relative("p-0001", "child")])) == 1


def test_the_deadline_counts_working_days_over_a_holiday():
    # 2026-09-30 (Wed) → the National Day holiday (Oct 1–7) does not count; make-up Saturday Oct 10 does.
    assert rules.deadline_for(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert rules.deadline_for(date(2026, 12, 4)) == date(2026, 12, 18)


def test_a_second_answer_is_refused_and_the_first_stays():
    with pytest.raises(Conflict) as raised:
        rules.check_answer(rules.AGREED, rules.DECLINED, deadline=DEADLINE, today=DEADLINE, undertaking=False,
                           undertaking_needed=False)
    assert raised.value.code == "consent_already_answered"


def test_an_answer_after_the_deadline_is_expired():
    with pytest.raises(Conflict) as raised:
        rules.check_answer(rules.PENDING, rules.AGREED, deadline=DEADLINE, today=date(2026, 12, 19), undertaking=True,
                           undertaking_needed=True)
    assert raised.value.code == "consent_expired" and "已过期" in raised.value.message.zh


def test_an_answer_on_the_last_day_counts():
    rules.check_answer(rules.PENDING, rules.DECLINED, deadline=DEADLINE, today=DEADLINE, undertaking=False,
                       undertaking_needed=True)


def test_agreeing_on_the_balance_path_needs_the_undertaking_but_declining_does_not():
    with pytest.raises(ValidationFailed) as raised:
        rules.check_answer(rules.PENDING, rules.AGREED, deadline=DEADLINE, today=DEADLINE, undertaking=False,
                           undertaking_needed=True)
    assert "undertaking" in raised.value.errors
    rules.check_answer(rules.PENDING, rules.RENOUNCED, deadline=DEADLINE, today=DEADLINE, undertaking=False,
                       undertaking_needed=True)


def test_an_ended_consent_takes_no_answer():
    with pytest.raises(Conflict) as raised:
        rules.check_answer(rules.ENDED, rules.AGREED, deadline=DEADLINE, today=DEADLINE, undertaking=True,
                           undertaking_needed=True)
    assert raised.value.code == "consent_ended"


@pytest.mark.parametrize(("decisions", "expired", "expected"), [
    (["agreed", "pending"], False, "pending"),
    (["agreed", "agreed", "renounced"], False, "agreed"),
    (["agreed", "declined", "pending"], False, "declined"),
    (["agreed", "pending"], True, "declined"),
    (["agreed", "renounced"], True, "agreed"),
])
def test_the_outcome_of_the_answers(decisions, expired, expected):
    assert rules.outcome(decisions, expired=expired) == expected


def test_the_hold_of_each_outcome():
    assert rules.hold_for("pending", "notarised-inheritance-certificate") == {"consent": "pending"}
    assert rules.hold_for("declined", "notarised-inheritance-certificate") == {
        "consent": "declined", "upload": "notarised-inheritance-certificate"}
    assert rules.hold_for("agreed", "notarised-inheritance-certificate") is None


def test_the_agreement_names_who_receives_what():
    text = rules.agreement_text("陈明", [Text("住房公积金提取", "Housing fund"), Text("医保账户", "Medical account")])
    assert text.zh == "同意由 陈明 代为领取：住房公积金提取、医保账户"
    assert text.en.startswith("I agree that 陈明 receives on my behalf")


def test_a_lapsed_answer_counts_as_not_agreed_and_takes_no_late_answer():
    assert rules.outcome(["agreed", "expired"]) == "declined"
    with pytest.raises(Conflict) as raised:
        rules.check_answer(rules.LAPSED, rules.AGREED, deadline=DEADLINE, today=DEADLINE, undertaking=True,
                           undertaking_needed=True)
    assert raised.value.code == "consent_expired"
