"""The house: probes, the error envelope, headers, compression, caching, logging."""

from __future__ import annotations

import gzip
import logging

import pytest
from flask import Flask

from auth.permissions import access
from bff.app import create_app


def test_healthz_is_ok(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_reports_every_dependency_ok(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}


def test_readyz_is_unavailable_when_redis_cannot_be_reached(base_config, unreachable_url):
    broken = create_app({**base_config, "REDIS_URL": unreachable_url.replace("http://", "redis://") + "/0"})
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"] == "unreachable"


def test_openapi_document_is_served_under_api(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["info"]["title"] == "OneThing BFF"
    assert spec["openapi"].startswith("3.")


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/no-such-page"])
def test_unknown_paths_get_the_json_error_envelope_in_chinese_by_default(client, path):
    response = client.get(path)
    assert response.status_code == 404
    body = response.get_json()
    assert body["code"] == 404 and body["status"] == "Not Found"
    assert body["message"] == "找不到您要的内容。"


def test_error_messages_follow_accept_language(client):
    body = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_json()
    assert body["message"] == "We could not find what you asked for."


def test_wrong_method_gets_405_envelope_with_allow_header(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.get_json()["code"] == 405
    assert "GET" in response.headers["Allow"]


def test_too_large_body_gets_413_envelope(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/api/v1/anything", data=b"x" * (limit + 1), content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["code"] == 413


@pytest.fixture
def failing_app(base_config) -> Flask:
    app = create_app(base_config)

    @app.post("/api/v1/echo")
    @access("public")
    def echo():
        return {"ok": True}

    @app.get("/api/v1/explode")
    @access("public")
    def explode():
        raise RuntimeError("secret internal detail 330106199203151314")

    return app


def test_unexpected_error_hides_details_and_returns_an_error_id_that_is_logged(failing_app, caplog):
    with caplog.at_level(logging.ERROR):
        response = failing_app.test_client().get("/api/v1/explode")
    body = response.get_json()
    assert response.status_code == 500
    assert "secret" not in response.get_data(as_text=True)
    assert len(body["error_id"]) == 16
    assert any(body["error_id"] in record.getMessage() for record in caplog.records)


def test_state_changing_call_without_the_csrf_header_is_refused(failing_app):
    client = failing_app.test_client()
    refused = client.post("/api/v1/echo", json={})
    assert refused.status_code == 403
    assert refused.get_json()["message"] == "请求缺少安全校验，请刷新页面后重试。"
    assert client.post("/api/v1/echo", json={}, headers={"X-OneThing-CSRF": "1"}).status_code == 200


def test_security_headers_are_set_and_csp_has_no_unsafe_inline(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers  # only in production


def test_api_responses_are_never_stored_by_caches(client):
    assert client.get("/api/v1/no-such-thing").headers["Cache-Control"] == "no-store"


def test_versioned_static_assets_are_cached_for_a_year_and_pages_revalidate(client, app):
    version = app.config["ASSET_VERSION"]
    page = client.get("/")
    assert page.headers["Cache-Control"] == "no-cache"
    assert f"/static/{version}/" in page.get_data(as_text=True)
    asset = client.get(f"/static/{version}/manifest.webmanifest")
    assert "immutable" in asset.headers["Cache-Control"]


def test_json_and_pages_are_compressed_for_clients_that_accept_it(client):
    response = client.get("/api/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data).startswith(b"{")
    brotli = client.get("/api/openapi.json", headers={"Accept-Encoding": "br"})
    assert brotli.headers["Content-Encoding"] == "br"


def test_every_response_carries_a_request_id(client):
    assert len(client.get("/healthz").headers["X-Request-Id"]) >= 16


def test_behind_a_trusted_proxy_the_client_address_comes_from_x_forwarded_for(base_config):
    app = create_app({**base_config, "TRUSTED_PROXIES": 1})

    @app.get("/api/v1/whoami")
    @access("public")
    def whoami():
        from flask import request

        return {"ip": request.remote_addr, "scheme": request.scheme}

    body = app.test_client().get("/api/v1/whoami", headers={
        "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}).get_json()
    assert body == {"ip": "203.0.113.7", "scheme": "https"}
