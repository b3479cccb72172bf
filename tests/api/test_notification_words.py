"""What the inbox says: the item and its department (or the bundle), and what to do; no alarm about a
department's time limit that has not passed, a real delay once it has."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bff.core.calendar import add_working_days
from bff.core.clock import china_date
from bff.extensions import db
from bff.services.sweeper import sweep_cases
from bff.store.models import Case, utcnow
from tests.api.application_helpers import approval_body, case_of, officer_client, run_worker, submitted_application


def inbox(client, language="zh-CN"):
    return client.get("/api/v1/inbox", headers={"X-Language": language}).json["notifications"]


def test_an_approval_names_the_item_and_its_department_in_both_languages(app, client) -> None:
    submitted = submitted_application(app, client)
    reference = case_of(submitted["receipt"], "birth-medical-certificate")
    officer = officer_client(app, "health")
    officer.post(f"/api/v1/officer/cases/{reference}/accept")
    officer.post(f"/api/v1/officer/cases/{reference}/approve", json=approval_body("birth-medical-certificate"))
    run_worker(app)
    titles = [n["title"] for n in inbox(client)]
    assert titles[0] == "出生医学证明（卫健）已办结，电子证照可查看"
    assert "出生医学证明（卫健）已受理" in titles
    assert titles[-1] == "出生一件事已提交，各部门将分别办理"
    english = [n["title"] for n in inbox(client, "en")]
    assert english[0] == "Medical birth certificate (Health) approved: your e-certificate is ready"


def test_no_alarm_about_a_time_limit_that_has_not_passed_but_a_real_delay_is_told(app, client) -> None:
    submitted = submitted_application(app, client)
    reference = case_of(submitted["receipt"], "birth-medical-certificate")
    officer_client(app, "health").post(f"/api/v1/officer/cases/{reference}/accept")
    today = china_date(utcnow())
    db.session.execute(update(Case).values(due_on=add_working_days(today, 1)).where(Case.reference == reference))
    db.session.commit()
    session = db.new_session()
    assert sweep_cases(session, stuck_after_seconds=600, today=today)["due_soon"] >= 1  # the workbench's flag
    run_worker(app)
    assert not [n for n in inbox(client) if n["kind"] == "due_soon" or "时限" in n["title"]]
    queue = officer_client(app, "health").get("/api/v1/officer/cases?flag=due_soon").json["cases"]
    assert reference in [c["reference"] for c in queue]  # the department still sees its deadline near

    assert sweep_cases(session, stuck_after_seconds=600, today=today + timedelta(days=30))["overdue"] >= 1
    session.close()
    run_worker(app)
    delays = [n["title"] for n in inbox(client) if n["kind"] == "overdue"]
    assert "出生医学证明（卫健）已超过办理时限，我们正在督办" in delays
