"""The store functions with one implementation per database, run on PostgreSQL and on SQLite.

PostgreSQL is the tests' database; SQLite is the embedded default's (``make run``), migrated
by the same Alembic scripts into a temporary file.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from bff.store.models import Application, Case, Certificate, ProcessedCallback, User
from bff.store.queries import callbacks, progress

SUBMITTED_AT = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)


def _submitted_application(session: Session) -> tuple[int, str]:
    """A submitted birth application with two cases, the first approved with its certificate."""
    user = User(issuer="test", subject="zhangwei", name="张伟", id_number="330106199001011234")
    session.add(user)
    session.flush()
    application = Application(number="YJ2612070000001", user_id=user.id, bundle="birth", subject="newborn",
                              status="in_progress", answers={"subject.name": "张小明"}, submitted_at=SUBMITTED_AT)
    session.add(application)
    session.flush()
    for position, (item, department, status) in enumerate(
            [("birth-certificate", "health", "approved"), ("hukou", "public-security", "submitted")], start=1):
        session.add(Case(application_id=application.id, reference=f"{application.number}-{position:02d}",
                         position=position, item=item, item_title={"zh-CN": item, "en": item},
                         department=department, status=status, time_limit_days=5, due_on=date(2026, 12, 14)))
    session.flush()
    first = session.scalar(select(Case).where(Case.position == 1))
    assert first is not None
    session.add(Certificate(case_id=first.id, application_id=application.id, user_id=user.id, number="EC-1",
                            kind="birth-certificate", title_zh="出生医学证明", title_en="Birth certificate",
                            token="t" * 32, issuer="health", issued_at=SUBMITTED_AT))
    session.commit()
    return user.id, application.number


def test_application_detail_reads_the_application_its_cases_and_certificates(new_session) -> None:
    with new_session() as session:
        user_id, number = _submitted_application(session)
    with new_session() as session:
        detail = progress.application_detail(session.connection(), user_id, number)
        someone_else = progress.application_detail(session.connection(), user_id + 1, number)
    assert detail is not None and someone_else is None
    assert (detail.head.number, detail.head.status, detail.head.subject) == (number, "in_progress", "newborn")
    assert detail.head.submitted_at == SUBMITTED_AT
    assert [case.reference for case, _ in detail.cases] == [f"{number}-01", f"{number}-02"]
    first, second = detail.cases
    assert first[0].item_title == {"zh-CN": "birth-certificate", "en": "birth-certificate"}
    assert first[0].due_on == date(2026, 12, 14) and first[0].status == "approved"
    assert first[1] is not None and (first[1].number, first[1].title_en) == ("EC-1", "Birth certificate")
    assert first[1].issued_at == SUBMITTED_AT and first[1].revoked_at is None
    assert second[1] is None


def test_a_callback_is_stored_once_and_locks_its_case_with_the_application(new_session) -> None:
    with new_session() as session:
        _, number = _submitted_application(session)
    reference = f"{number}-02"
    with new_session() as session:
        first = callbacks.lock_case_for_callback(session, "public-security", "evt-1", reference)
        assert first is not None
        case, application, first_delivery = first
        assert (case.reference, application.number, first_delivery) == (reference, number, True)
        assert "answers" not in inspect(application).dict  # encrypted: read only when needed
        session.commit()
    with new_session() as session:
        again = callbacks.lock_case_for_callback(session, "public-security", "evt-1", reference)
        other_department = callbacks.lock_case_for_callback(session, "health", "evt-2", reference)
        unknown = callbacks.lock_case_for_callback(session, "public-security", "evt-3", "nope")
        session.commit()
        stored = session.execute(select(ProcessedCallback.event_id, ProcessedCallback.outcome)).all()
    assert again is not None and again[2] is False
    assert other_department is None and unknown is None
    assert [tuple(row) for row in stored] == [("evt-1", "applied")]
