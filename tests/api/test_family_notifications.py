"""An application's notifications reach every active member of its family, by their own preferences."""

from __future__ import annotations

from sqlalchemy import select

from bff.extensions import db
from bff.store.notification_models import Notification
from tests.api.application_helpers import case_of, officer_client, run_worker, submitted_application
from tests.factories import create_user, sign_in


def inbox_kinds(client) -> list[str]:
    return [n["kind"] for n in client.get("/api/v1/inbox").json["notifications"]]


def test_the_family_is_told_of_progress_and_of_join_requests_each_by_their_own_preferences(app, client) -> None:
    submitted = submitted_application(app, client, "after-death")
    number = submitted["number"]
    chenli, liu = app.test_client(), app.test_client()
    sign_in(app, chenli, create_user("chenli"))
    sign_in(app, liu, create_user("liuxiuying"))
    asked = chenli.post(f"/api/v1/applications/{number}/join-requests").json
    run_worker(app)
    assert "join_requested" in inbox_kinds(client)  # the lead is asked
    assert client.get("/api/v1/inbox").json["notifications"][0]["link"] == f"/app/applications/{number}"
    client.post(f"/api/v1/applications/{number}/members/{asked['id']}/accept")
    # 刘秀英 joins too, but wants to hear only of approvals.
    liu.put("/api/v1/notifications/preferences", json={"kinds": ["case_approved"], "channels": ["push"]})
    asked_liu = liu.post(f"/api/v1/applications/{number}/join-requests").json
    run_worker(app)
    assert "join_requested" in inbox_kinds(chenli)  # a co-handler is asked too
    chenli.post(f"/api/v1/applications/{number}/members/{asked_liu['id']}/accept")
    reference = case_of(submitted["receipt"], "death-medical-certificate")
    officer = officer_client(app, "health")
    officer.post(f"/api/v1/officer/cases/{reference}/accept")
    officer.post(f"/api/v1/officer/cases/{reference}/approve")
    run_worker(app)
    for reader in (client, chenli):
        kinds = inbox_kinds(reader)
        assert "case_accepted" in kinds and "case_approved" in kinds
    assert inbox_kinds(liu) == ["case_approved"]
    approved = db.session.scalars(select(Notification).where(Notification.kind == "case_approved")).all()
    assert sorted(n.user_id for n in approved) == sorted({n.user_id for n in approved})  # one each
    assert len(approved) == 3


def test_an_invitation_tells_the_invitee_only_and_opens_the_page_to_answer_it(app, client) -> None:
    number = submitted_application(app, client, "after-death")["number"]
    chenli = app.test_client()
    sign_in(app, chenli, create_user("chenli"))
    sister = next(r for r in client.get(f"/api/v1/applications/{number}/members").json["invitable"]
                  if r["name"] == "陈丽")
    client.post(f"/api/v1/applications/{number}/members/invitations", json={"relative_ref": sister["ref"]})
    run_worker(app)
    [invitation] = [n for n in chenli.get("/api/v1/inbox").json["notifications"] if n["kind"] == "family_invited"]
    assert invitation["link"] == f"/app/join/{number}"
    assert "family_invited" not in inbox_kinds(client)
