"""Helpers for the application tests: complete answers for a bundle, and the usual steps."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from flask.testing import FlaskClient

from bff.core.catalog import FieldDef
from bff.core.forms import asked_fields
from bff.core.idnumber import make_id_number
from bff.services.catalog_adapter import submission_form

TODAY = date.today()
BORN = TODAY - timedelta(days=2)


def _luhn_complete(prefix: str) -> str:
    for last in "0123456789":
        digits = prefix + last
        total = sum((int(c) * (2 if i % 2 else 1)) - (9 if int(c) * (2 if i % 2 else 1) > 9 else 0)
                    for i, c in enumerate(reversed(digits)))
        if total % 10 == 0:
            return digits
    raise AssertionError


def value_for(definition: FieldDef) -> Any:
    key, kind = definition.key, definition.type
    if kind == "id_number":
        if "mother" in key:
            return make_id_number("330106", date(1994, 7, 20), 242)
        if key.startswith("subject."):
            return make_id_number("330106", BORN, 131)
        return make_id_number("330106", date(1992, 3, 15), 131)
    if kind == "name":
        return "张伟"
    if kind == "mobile":
        return "13800000001"
    if kind == "bank_card":
        return _luhn_complete("622202020011223344")
    if kind == "date":
        return (TODAY - timedelta(days=1) if "cremation" in key else BORN).isoformat()
    if kind == "integer":
        return max(definition.min or 1, 1)
    if kind == "select":
        return definition.choices[0].value
    if kind == "boolean":
        return True
    return "浙江省杭州市西湖区文三路1号"


def complete_answers(bundle: str, user_id: int | None = None) -> dict[str, Any]:
    """Answers to every asked field the data sources did not prefill (all of them without a user)."""
    if user_id is None:
        form = submission_form(bundle)
    else:
        from bff.extensions import db
        from bff.services.forms import form_for_user

        form = form_for_user(db.session, user_id, bundle, None).form
    answers: dict[str, Any] = {}
    for _ in range(3):  # conditional fields appear as answers arrive
        for form_field in asked_fields(form, answers):
            if form_field.prefilled is None:
                answers.setdefault(form_field.key, value_for(form_field.definition))
    return answers


PERSONA_OF_BUNDLE = {"birth": "zhangwei", "retirement": "lijianguo", "after-death": "chenming"}


def start(client: FlaskClient, bundle: str = "birth", answers: dict[str, Any] | None = None,
          user_id: int | None = None) -> dict[str, Any]:
    if answers is None:
        answers = complete_answers(bundle, user_id or _signed_in_user(client))
    response = client.post("/api/v1/applications", json={"bundle": bundle, "answers": answers})
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[no-any-return]


def _signed_in_user(client: FlaskClient) -> int:
    return int(client.get("/api/v1/me").json["id"])


def submit(client: FlaskClient, number: str, version: int = 1, key: str | None = None) -> Any:
    return client.post(f"/api/v1/applications/{number}/submit", json={"version": version},
                       headers={"Idempotency-Key": key or uuid.uuid4().hex})


def run_worker(app: Any) -> None:
    """A real RQ worker, in this process, until the queue is empty."""
    from rq import SimpleWorker

    from bff.jobs.queue import queue_for

    queue = queue_for(app)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def start_worker_process(app: Any, base_config: dict[str, Any]) -> Any:
    """``python -m bff.worker`` on the tests' database and Redis, with 1-second leases (to be killed)."""
    import os
    import subprocess
    import sys

    environment = {**os.environ, "DATABASE_URL": base_config["DATABASE_URL"], "REDIS_URL": base_config["REDIS_URL"],
                   "ONETHING_ENV": "testing", "ONETHING_PUBLIC_URL": app.config["PUBLIC_URL"],
                   "ONETHING_DEPARTMENT_SIMULATOR_URL": app.config["DEPARTMENT_SIMULATOR_URL"],
                   "ONETHING_DISPATCH_LEASE_SECONDS": "1"}
    return subprocess.Popen([sys.executable, "-m", "bff.worker"], env=environment,  # noqa: S603
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def submitted_application(app: Any, client: FlaskClient, bundle: str = "birth") -> dict[str, Any]:
    """Sign in the bundle's persona, submit, and deliver every case (workbench in tests)."""
    from tests.factories import create_user, sign_in

    user = create_user(PERSONA_OF_BUNDLE[bundle])
    sign_in(app, client, user)
    number = start(client, bundle, user_id=user.id)["number"]
    receipt = submit(client, number).json
    run_worker(app)
    return {"user": user, "number": number, "receipt": receipt}


def officer_client(app: Any, department: str) -> FlaskClient:
    from tests.factories import create_user, sign_in

    client = app.test_client()
    sign_in(app, client, create_user(f"officer-{department}"))
    return client  # type: ignore[no-any-return]


def case_of(receipt: dict[str, Any], item: str) -> str:
    return next(c["reference"] for c in receipt["cases"] if c["item"] == item)
