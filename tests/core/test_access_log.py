""""Who viewed my data": who and from where, officers' reasons in words, repeated looks folded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bff.core.access_log import SERVICE_DESK, Look, case_work_purpose, fold, who_of
from bff.core.text import Text

MORNING = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 09:00 in China


def look(id_: int, *, hours: float = 0, actor: int = 7, action: str = "viewed", what: str = "application",
         purpose: str = "case_work") -> Look:
    return Look(id_, MORNING + timedelta(hours=hours), actor, action, what, purpose, "")


def test_one_persons_looks_for_one_purpose_on_one_day_are_one_line():
    lines = fold([look(3, hours=2, what="timeline"), look(2, hours=1), look(1)])
    [line] = lines
    assert line.count == 3 and line.first_at == MORNING and line.newest.id == 3
    assert line.whats == ["application", "timeline"]


def test_another_person_purpose_or_china_day_is_another_line():
    # 16:30 UTC is already the next day in China.
    lines = fold([look(5, hours=15.5), look(4, actor=8), look(3, purpose="complaint"), look(2), look(1)])
    assert [line.newest.id for line in lines] == [5, 4, 3, 2]
    assert lines[-1].count == 2


def test_reveals_are_never_folded_into_looks_nor_across_fields():
    lines = fold([look(4, action="revealed", what="mobile"), look(3, action="revealed", what="mobile"),
                  look(2, action="revealed", what="id_number"), look(1)])
    assert [(line.newest.what, line.count) for line in lines] == [("mobile", 2), ("id_number", 1), ("application", 1)]


def test_only_looks_next_to_each_other_fold_so_pages_break_between_lines():
    lines = fold([look(3), look(2, actor=8), look(1)])
    assert [line.newest.id for line in lines] == [3, 2, 1]


def test_officers_read_as_their_department_and_the_service_desk_as_such():
    health = Text("卫健", "Health")
    assert who_of(["officer"], health) == health
    assert who_of(["staff"], None) == SERVICE_DESK
    assert who_of(["resident"], None) is None
    assert case_work_purpose(Text("出生医学证明", "Medical birth certificate")).zh == "办理“出生医学证明”"
    assert "case_work" not in case_work_purpose(None).en
