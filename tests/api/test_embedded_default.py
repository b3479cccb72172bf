"""The embedded default of `make run` (SQLite): the reads that take their own path on PostgreSQL
answer the same there."""

from __future__ import annotations

from pathlib import Path

from bff.app import create_app
from bff.store import migrate
from tests.api.application_helpers import start, submit
from tests.conftest import ApiClient
from tests.factories import create_user, sign_in


def test_application_progress_on_sqlite(tmp_path: Path, redis_url: str) -> None:
    url = f"sqlite:///{tmp_path / 'onething.db'}"
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url, "ENV": "testing"})
    app.test_client_class = ApiClient
    try:
        with app.app_context():
            client = app.test_client()
            user = create_user("zhangwei")
            sign_in(app, client, user)
            number = start(client, "birth", user_id=user.id)["number"]
            draft = client.get(f"/api/v1/applications/{number}")
            receipt = submit(client, number).json
            detail = client.get(f"/api/v1/applications/{number}").json
    finally:
        app.extensions["redis"].flushdb()
    assert draft.status_code == 200 and draft.json["status"] == "draft" and draft.headers["ETag"]
    assert detail["status"] == "submitted" and detail["subject"] == "newborn"
    assert [case["reference"] for case in detail["cases"]] == [case["reference"] for case in receipt["cases"]]
    first = detail["cases"][0]
    assert first["title"] == receipt["cases"][0]["title"] and set(first["title"]) == {"zh-CN", "en"}
    assert first["due_on"] == receipt["cases"][0]["due_on"] and first["due_status"] in ("on_time", "due_soon")
    assert detail["submitted_at"].endswith("+00:00") and detail["certificates"] == []
