"""Cases: their bulk insert at submission, the reads and locks of residents and officers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session

from bff.store.models import Application, Case


def insert_cases(session: Session, rows: list[dict[str, Any]]) -> list[Case]:
    """Write ``rows`` in one INSERT … RETURNING, without the unit of work's bookkeeping per object.

    A Core insert of the table: the ORM's bulk insert leaves out the keys whose value is None, so
    rows with and without a due date (waiting cases have none yet) became one INSERT per run of
    alike rows. The returned Case objects are transient: they carry only what was written, with their ids."""
    table = Case.__table__
    ids = session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all()  # type: ignore[arg-type]
    return [Case(id=case_id, **row) for case_id, row in zip(ids, rows, strict=True)]


def case_statuses_in_session(session: Session, application_id: int) -> list[str]:
    """The statuses of the application's cases as this session holds them.

    The cases are read without flushing first: a case this transaction changed is taken as it is
    in the session, so the changes are written together at the caller's commit."""
    with session.no_autoflush:
        rows = session.execute(select(Case.id, Case.status).where(Case.application_id == application_id)).all()
    return [_status_in_session(session, case_id, status) for case_id, status in rows]


def _status_in_session(session: Session, case_id: int, stored: str) -> str:
    case = session.identity_map.get(session.identity_key(Case, case_id))
    if case is None:
        return stored
    return str(inspect(case).dict.get("status", stored))  # not loaded (expired): nothing pending either


def case_statuses(session: Session, application_id: int) -> list[str]:
    """The stored statuses of the application's cases."""
    return list(session.scalars(select(Case.status).where(Case.application_id == application_id)))


def lock_cases_of(session: Session, application_id: int) -> list[Case]:
    """Every case of the application, locked ``FOR UPDATE``."""
    return list(session.scalars(select(Case).where(Case.application_id == application_id).with_for_update()))


def lock_case_of(session: Session, application_id: int, reference: str) -> Case | None:
    """The application's case ``reference``, locked ``FOR UPDATE``."""
    return session.scalar(select(Case).where(Case.application_id == application_id, Case.reference == reference)
                          .with_for_update())


# --- A department's cases ---------------------------------------------------------------------

def department_case(session: Session, department: str, reference: str, *, lock: bool = False) -> Case | None:
    """The department's case ``reference`` (``FOR UPDATE`` with ``lock``)."""
    query = select(Case).where(Case.reference == reference, Case.department == department)
    return session.scalar(query.with_for_update() if lock else query)


def department_queue(session: Session, department: str, *, status: str | None, excluded: Iterable[str],
                     flag: str | None, limit: int) -> list[tuple[Case, Application]]:
    """The department's delivered cases with their applications, the earliest due first.

    ``status`` picks the one status to list; without it every status but ``excluded``."""
    query = (select(Case, Application).join(Application, Application.id == Case.application_id)
             .where(Case.department == department, Case.dispatched_at.is_not(None)))
    query = query.where(Case.status == status) if status else query.where(Case.status.not_in(list(excluded)))
    if flag:
        query = query.where(Case.flag == flag)
    rows = session.execute(query.order_by(Case.due_on.asc().nulls_last(), Case.id).limit(limit)).all()
    return [(case, application) for case, application in rows]


def cases_of(session: Session, application_id: int) -> list[Case]:
    """Every case of the application in form order, as this session holds them (no flush first:
    a case the transaction changed keeps its pending state, written at the caller's commit).

    The caller holds the application's lock, which every change of its cases takes first."""
    with session.no_autoflush:
        return list(session.scalars(select(Case).where(Case.application_id == application_id)
                                    .order_by(Case.position)))
