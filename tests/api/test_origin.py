"""State-changing requests from another site are refused by their Origin, beside the CSRF header."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bff.app import origin_of
from bff.config import DEFAULTS
from bff.extensions import db
from bff.store.models import Application
from tests.adapters.test_departments_webhook import HRSS, callback, hrss_case
from tests.api.application_helpers import start, submitted_application
from tests.api.test_applications import signed_in

EVIL = "https://evil.example"


def drafts() -> int:
    session = db.new_session()
    try:
        return session.scalar(select(func.count()).select_from(Application)) or 0
    finally:
        session.close()


# A look-alike of the public origin, and the public host over the wrong scheme (the test app's
# public URL is the development default; nothing is contacted, origins are only compared).
@pytest.mark.parametrize("origin", [EVIL, "null", DEFAULTS["PUBLIC_URL"] + ".evil.example",
                                    DEFAULTS["PUBLIC_URL"].replace("http://", "https://")])
def test_a_cross_site_post_with_the_csrf_header_is_refused(app, client, origin) -> None:
    signed_in(app, client)
    before = drafts()
    refused = client.post("/api/v1/applications", json={"bundle": "birth"}, headers={"Origin": origin})
    assert refused.status_code == 403
    body = refused.json
    assert body["reason"] == "cross_origin"
    assert body["message"] == "此请求来自其他网站，已被拒绝。请在本站页面上操作。"
    assert body["errors"] == {"headers": {"Origin": [body["message"]]}}
    assert drafts() == before


def test_the_refusal_speaks_english_to_an_english_reader(app, client) -> None:
    signed_in(app, client)
    refused = client.post("/api/v1/applications", json={"bundle": "birth"},
                          headers={"Origin": EVIL, "X-Language": "en"})
    assert refused.json["message"] == ("This request came from another website and was refused; "
                                       "please use this site's own pages.")


def test_cross_site_patch_and_delete_are_refused_and_change_nothing(app, client) -> None:
    signed_in(app, client)
    number = start(client, answers={})["number"]
    patched = client.patch(f"/api/v1/applications/{number}", json={"answers": {"subject.name": "黑客"}},
                           headers={"If-Match": '"1"', "Origin": EVIL})
    deleted = client.delete(f"/api/v1/applications/{number}", headers={"Origin": EVIL})
    assert (patched.status_code, deleted.status_code) == (403, 403)
    current = client.get(f"/api/v1/applications/{number}")
    assert current.status_code == 200 and current.json["answers"] == {}


def test_the_public_origin_the_own_host_and_no_origin_pass(app, client) -> None:
    signed_in(app, client)
    public = app.config["PUBLIC_URL"]
    for headers in ({"Origin": public}, {"Origin": public.upper()}, {"Origin": "http://localhost"}, {}):
        response = client.post("/api/v1/applications", json={"bundle": "birth"}, headers=headers)
        assert response.status_code == 201, (headers, response.json)


def test_in_production_only_the_public_origin_passes(app, client, monkeypatch) -> None:
    signed_in(app, client)
    monkeypatch.setitem(app.config, "ENV", "production")
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://onething.example.gov.cn")
    own_host = client.post("/api/v1/applications", json={"bundle": "birth"}, headers={"Origin": "http://localhost"})
    assert own_host.status_code == 403 and own_host.json["reason"] == "cross_origin"
    public = client.post("/api/v1/applications", json={"bundle": "birth"},
                         headers={"Origin": "https://onething.example.gov.cn"})
    assert public.status_code == 201


def test_a_signed_department_callback_is_not_judged_by_origin(app, client, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "DEPARTMENTS", HRSS)
    reference = hrss_case(submitted_application(app, client, "retirement")["receipt"])
    department = app.test_client()
    original = department.open

    def with_origin(*args, **kwargs):  # a department's gateway may add any Origin; the signature decides
        kwargs["headers"] = {**kwargs.get("headers", {}), "Origin": EVIL}
        return original(*args, **kwargs)

    department.open = with_origin  # type: ignore[method-assign]
    assert callback(department, reference, "accepted").json["outcome"] == "applied"


@pytest.mark.parametrize(("url", "origin"), [
    ("https://OneThing.example.gov.cn:443/", "https://onething.example.gov.cn"),
    ("http://onething.test:8000/app", "http://onething.test:8000"),
    ("http://[::1]:80", "http://[::1]"),
    ("http://host:notaport", ""),
])
def test_origins_are_compared_as_browsers_write_them(url, origin) -> None:
    assert origin_of(url) == origin
