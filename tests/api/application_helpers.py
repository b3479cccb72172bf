"""Helpers for the application tests: complete answers for a bundle, and the usual steps."""

from __future__ import annotations

import uuid
from typing import Any

from flask.testing import FlaskClient

from bff.services.catalog_adapter import submission_form
from tests.factories.answers import answers_for
from tests.factories.applications import PERSONA_OF_BUNDLE


def complete_answers(bundle: str, user_id: int | None = None) -> dict[str, Any]:
    """Answers to every asked field the data sources did not prefill (all of them without a user)."""
    if user_id is None:
        form = submission_form(bundle)
    else:
        from bff.extensions import db
        from bff.services.forms import form_for_user

        form = form_for_user(db.session, user_id, bundle, None).form
    return answers_for(form)


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
                   "ONETHING_PUSH_EXTRA_HOSTS": app.config["PUSH_EXTRA_HOSTS"],
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


def application_in_state(app: Any, client: FlaskClient, state: str = "submitted", bundle: str = "birth",
                         **params: Any) -> dict[str, Any]:
    """``{user, number, receipt}`` as :func:`submitted_application` gives, for an application made
    by its factory in ``state`` (a trait of ``ApplicationFactory``); ``client`` signed in as its applicant."""
    from sqlalchemy import select

    from bff.extensions import db
    from bff.store.models import Case, User
    from tests.factories import ApplicationFactory, sign_in

    application = ApplicationFactory(bundle=bundle, **{state: True}, **params)
    user = db.session.get(User, application.user_id)
    assert user is not None
    sign_in(app, client, user)
    cases = db.session.scalars(select(Case).where(Case.application_id == application.id).order_by(Case.position))
    receipt = {"number": application.number, "bundle": bundle, "status": application.status,
               "cases": [{"reference": c.reference, "item": c.item, "title": c.item_title, "department": c.department,
                          "due_on": c.due_on.isoformat() if c.due_on else None} for c in cases]}
    return {"user": user, "number": application.number, "receipt": receipt}


def officer_client(app: Any, department: str) -> FlaskClient:
    from tests.factories import create_user, sign_in

    client = app.test_client()
    sign_in(app, client, create_user(f"officer-{department}"))
    return client  # type: ignore[no-any-return]


def case_of(receipt: dict[str, Any], item: str) -> str:
    return next(c["reference"] for c in receipt["cases"] if c["item"] == item)


def approval_body(item: str) -> dict[str, Any]:
    """What an officer sends to approve ``item``: the data it produces (a newborn's citizen ID number)."""
    from bff.core.catalog import default_catalog
    from bff.core.clock import china_today
    from bff.core.idnumber import make_id_number

    produces = default_catalog().items[item].produces
    made = {"citizen_id_number": make_id_number("330106", china_today(), 21)}
    return {"outputs": {name: made.get(name, f"{name}-1") for name in produces}}
