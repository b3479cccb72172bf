"""Department callbacks: the first-delivery check that locks the case and stores the callback id.

PostgreSQL does it in one statement (a CTE inserts the id, the outer read locks the rows); SQLite,
the embedded default, takes two statements and a savepoint. Both are here, behind
:func:`lock_case_for_callback`, and one test runs it on each database.
"""

from __future__ import annotations

from sqlalchemy import Select, literal, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from bff.store.models import Application, Case, ProcessedCallback, UtcDateTime, utcnow


def lock_case_for_callback(session: Session, department: str, event_id: str,
                           reference: str) -> tuple[Case, Application, bool] | None:
    """The department's case ``reference`` and its application, both locked (every transition
    locks the application), and whether this is the callback's first delivery: its id is stored,
    unique per department, so a redelivery is told apart. ``None`` if there is no such case.

    The application's answers (encrypted) are deferred: only an approval's certificate reads them."""
    if session.get_bind().dialect.name == "postgresql":
        return _lock_and_store_in_one_statement(session, department, event_id, reference)
    return _lock_then_store(session, department, event_id, reference)


def _case_with_application() -> Select[Case, Application]:
    return (select(Case, Application).join(Application, Application.id == Case.application_id)
            .options(defer(Application.answers)))


def _lock_and_store_in_one_statement(session: Session, department: str, event_id: str,
                                     reference: str) -> tuple[Case, Application, bool] | None:
    """PostgreSQL: the id is inserted by a CTE of the locking read (one round trip)."""
    target = select(Case.id).where(Case.reference == reference, Case.department == department).cte("target")
    stored = (postgresql.insert(ProcessedCallback)
              .from_select(["department", "event_id", "case_id", "outcome", "received_at"],
                           select(literal(department), literal(event_id), target.c.id, literal("applied"),
                                  literal(utcnow(), UtcDateTime())))
              .on_conflict_do_nothing().returning(ProcessedCallback.case_id).cte("stored"))
    row = session.execute(_case_with_application().add_columns(stored.c.case_id)
                          .outerjoin(stored, stored.c.case_id == Case.id)
                          .where(Case.id.in_(select(target.c.id)))
                          .with_for_update(of=[Case, Application])).first()
    if row is None:
        return None
    found, owner, stored_for = tuple(row)
    assert isinstance(found, Case) and isinstance(owner, Application)
    return found, owner, stored_for is not None


def _lock_then_store(session: Session, department: str, event_id: str,
                     reference: str) -> tuple[Case, Application, bool] | None:
    """SQLite: the locking read, then the id in a savepoint (a redelivery violates its uniqueness)."""
    row = session.execute(_case_with_application().where(Case.reference == reference, Case.department == department)
                          .with_for_update()).first()
    if row is None:
        return None
    case, application = row
    try:
        with session.begin_nested():
            session.add(ProcessedCallback(department=department, event_id=event_id, case_id=case.id,
                                          outcome="applied"))
    except IntegrityError:
        return case, application, False
    return case, application, True


def mark_callback_stale(session: Session, department: str, event_id: str) -> None:
    """Record that the stored callback changed nothing (it was behind the case)."""
    session.execute(update(ProcessedCallback).where(ProcessedCallback.department == department,
                                                    ProcessedCallback.event_id == event_id)
                    .values(outcome="stale"))
