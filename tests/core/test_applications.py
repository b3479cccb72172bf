from datetime import UTC, date, datetime, timedelta

import pytest

from bff.core import applications as core
from bff.core.errors import InvalidTransition, ValidationFailed


def test_a_case_moves_forward_only_along_the_design_machine() -> None:
    core.check_case_transition("submitted", "accepted")
    core.check_case_transition("accepted", "processing")
    core.check_case_transition("processing", "approved")
    core.check_case_transition("processing", "rejected")
    with pytest.raises(InvalidTransition):
        core.check_case_transition("submitted", "approved")
    with pytest.raises(InvalidTransition):
        core.check_case_transition("approved", "processing")


def test_supplements_go_back_and_forth_from_accepted_or_processing() -> None:
    for start in ("accepted", "processing"):
        assert core.can_transition(start, "supplement_requested")
    assert core.can_transition("supplement_requested", "supplemented")
    assert core.can_transition("supplemented", "supplement_requested")
    assert core.can_transition("supplemented", "processing")
    assert not core.can_transition("submitted", "supplement_requested")


def test_withdrawal_is_only_possible_before_acceptance() -> None:
    assert core.can_transition("submitted", "withdrawn")
    assert not core.can_transition("accepted", "withdrawn")
    assert core.can_withdraw(["submitted", "submitted"])
    assert not core.can_withdraw(["submitted", "accepted"])
    assert not core.can_withdraw([])


def test_terminal_statuses_have_no_way_out() -> None:
    for status in core.TERMINAL:
        assert core.CASE_TRANSITIONS[status] == frozenset()


def test_an_early_approval_walks_the_missing_steps_of_the_machine() -> None:
    assert core.path_to("submitted", "approved") == ["accepted", "processing", "approved"]
    assert core.path_to("supplemented", "rejected") == ["processing", "rejected"]
    assert core.path_to("processing", "processing") == []


def test_a_stale_status_has_no_path_and_is_ignored() -> None:
    assert core.path_to("approved", "accepted") is None
    assert core.path_to("processing", "accepted") is None


def test_a_department_path_never_supplies_a_supplement_for_the_resident() -> None:
    assert core.path_to("supplement_requested", "approved") is None


@pytest.mark.parametrize(("statuses", "expected"), [
    ([], "draft"),
    (["submitted", "submitted"], "submitted"),
    (["accepted", "submitted"], "in_progress"),
    (["processing", "supplement_requested"], "action_required"),
    (["approved", "approved"], "completed"),
    (["approved", "withdrawn"], "completed"),
    (["approved", "rejected"], "partially_rejected"),
    (["withdrawn", "withdrawn"], "withdrawn"),
    (["approved", "processing"], "in_progress"),
])
def test_the_application_status_is_derived_from_its_cases(statuses: list[str], expected: str) -> None:
    assert core.derive_application_status(statuses) == expected


def test_every_application_status_has_a_next_action_in_both_languages() -> None:
    for status in core.APPLICATION_STATUS_TEXT:
        action = core.next_action(status)
        assert action.text.zh and action.text.en


def test_application_numbers_carry_a_check_character() -> None:
    number = core.format_application_number(date(2026, 11, 26), 42)
    assert number.startswith("YJ261126000042")
    assert core.is_valid_application_number(number)
    assert not core.is_valid_application_number(number[:-1] + ("0" if number[-1] != "0" else "1"))
    assert not core.is_valid_application_number("YJ123")


def test_case_references_extend_the_application_number() -> None:
    assert core.case_reference("YJ2611260000421", 2) == "YJ2611260000421-02"


@pytest.mark.parametrize("key", [None, "", "short", "has space in it", "x" * 129])
def test_a_missing_or_malformed_idempotency_key_is_refused(key: str | None) -> None:
    with pytest.raises(ValidationFailed):
        core.check_idempotency_key(key)


def test_the_fingerprint_ignores_key_order_but_not_values() -> None:
    a = core.request_fingerprint("submit:1", {"version": 3, "channel": "online"})
    b = core.request_fingerprint("submit:1", {"channel": "online", "version": 3})
    c = core.request_fingerprint("submit:1", {"channel": "online", "version": 4})
    assert a == b != c
    assert core.request_fingerprint("submit:2", {"version": 3, "channel": "online"}) != a


def test_a_stored_key_replays_refuses_a_different_body_and_waits_while_in_flight() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    done = core.StoredKey("f1", completed=True, started_at=now)
    running = core.StoredKey("f1", completed=False, started_at=now - timedelta(seconds=5))
    abandoned = core.StoredKey("f1", completed=False, started_at=now - timedelta(minutes=5))
    assert core.decide_on_key(done, "f1", now) == core.REPLAY
    assert core.decide_on_key(done, "f2", now) == core.MISMATCH
    assert core.decide_on_key(running, "f2", now) == core.MISMATCH
    assert core.decide_on_key(running, "f1", now) == core.IN_FLIGHT
    assert core.decide_on_key(abandoned, "f1", now) == core.TAKE_OVER


def test_a_supplement_request_may_only_name_the_items_own_fields() -> None:
    core.check_supplement_request("请补充", ["baby_name"], [], ["baby_name", "birth_date"])
    core.check_supplement_request("请上传", [], ["hukou_page"], ["baby_name"])
    with pytest.raises(ValidationFailed) as raised:
        core.check_supplement_request("请补充", ["father_income"], [], ["baby_name"])
    assert "fields" in raised.value.errors
    with pytest.raises(ValidationFailed):
        core.check_supplement_request(" ", [], [], ["baby_name"])


def test_a_rejection_needs_a_reason() -> None:
    assert core.check_rejection_reason("  材料不符  ") == "材料不符"
    with pytest.raises(ValidationFailed):
        core.check_rejection_reason(" ")


def test_each_item_gets_only_the_answers_it_declares() -> None:
    answers = {"baby_name": "张小宝", "father_id_number": "330106199203151314", "bank": "6222"}
    assert core.pick_fields(answers, ["baby_name", "missing"]) == {"baby_name": "张小宝"}
