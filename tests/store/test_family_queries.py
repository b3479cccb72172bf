"""The family's store functions on PostgreSQL and on SQLite: the one-application-per-subject index
(each database words its refusal differently) and a member's read of the progress detail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from bff.store.family_models import ApplicationMember
from bff.store.models import Application, User
from bff.store.queries import family, progress

SUBMITTED_AT = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)


def _user(session: Session, key: str, name: str) -> User:
    user = User(issuer="test", subject=key, name=name)
    session.add(user)
    session.flush()
    return user


def _application(session: Session, user: User, number: str, status: str) -> Application:
    application = Application(number=number, user_id=user.id, bundle="after-death", subject="deceased-relative",
                              subject_ref="p-0123456789ab", status=status, answers={},
                              submitted_at=SUBMITTED_AT if status != "draft" else None)
    session.add(application)
    session.flush()
    return application


def test_a_second_active_application_for_a_subject_is_refused_and_drafts_withdrawals_are_not(new_session) -> None:
    with new_session() as session:
        chenming, chenli = _user(session, "chenming", "陈明"), _user(session, "chenli", "陈丽")
        first = _application(session, chenming, "YJ1", "submitted")
        _application(session, chenli, "YJ2", "withdrawn")
        second = _application(session, chenli, "YJ3", "draft")  # drafts may be many
        session.commit()
        second.status = "submitted"
        with pytest.raises(family.SubjectTaken):
            family.flush_submission(session)
        found = family.active_cases_of_subjects(session, "after-death", ["p-0123456789ab", "self"])
        assert list(found) == ["p-0123456789ab"]
        assert (found["p-0123456789ab"].number, found["p-0123456789ab"].lead_name) == (first.number, "陈明")
        assert session.get(Application, second.id).status == "draft"  # type: ignore[union-attr]


def test_an_active_member_reads_the_detail_and_a_requested_one_does_not(new_session) -> None:
    with new_session() as session:
        chenming, chenli, liu = _user(session, "chenming", "陈明"), _user(session, "chenli", "陈丽"), \
            _user(session, "liuxiuying", "刘秀英")
        application = _application(session, chenming, "YJ1", "submitted")
        draft = _application(session, chenming, "YJ2", "draft")
        session.add_all([ApplicationMember(application_id=application.id, user_id=chenli.id, status="active"),
                         ApplicationMember(application_id=application.id, user_id=liu.id, status="requested"),
                         ApplicationMember(application_id=draft.id, user_id=chenli.id, status="active")])
        session.commit()
        read = progress.application_detail(session.connection(), chenli.id, "YJ1")
        assert read is not None and read.head.number == "YJ1"
        assert progress.application_detail(session.connection(), liu.id, "YJ1") is None
        assert progress.application_detail(session.connection(), chenli.id, "YJ2") is None  # drafts stay private
        assert family.member_application(session, chenli.id, "YJ1") is not None
        assert family.member_application(session, chenli.id, "YJ2") is None
        assert family.roles_in(session, chenli.id, [application.id]) == {application.id: "co_handler"}
