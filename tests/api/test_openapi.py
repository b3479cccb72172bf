"""The OpenAPI document is complete: every operation's success response has a schema (images and
event streams as binary bodies of their content type), and the error schema lists every key
the error envelope really carries."""

from __future__ import annotations

from typing import Any

import pytest
import redis as redis_lib
from flask import Flask

from auth.permissions import access
from bff.app import create_app
from tests.factories import ApplicationFactory, create_user, sign_in

METHODS = {"get", "post", "put", "patch", "delete"}
BINARY = {"type": "string", "format": "binary"}
BINARY_TYPES = {"text/event-stream", "image/svg+xml", "image/png"}
NO_BODY = {"204", "301", "302", "303", "307"}


def operations(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{method.upper()} {path}", operation) for path, item in spec["paths"].items()
            for method, operation in item.items() if method in METHODS]


def success_status(operation: dict[str, Any]) -> list[str]:
    return [status for status in operation["responses"] if status[0] == "2" or status in NO_BODY]


def problems_of(status: str, response: dict[str, Any]) -> list[str]:
    content = response.get("content") or {}
    if status in NO_BODY:
        return [f"{status} has a body"] if content else []
    if not content:
        return [f"{status} has no schema"]
    found = []
    for content_type, media in content.items():
        if "schema" not in media:
            found.append(f"{status} {content_type} has no schema")
        elif content_type in BINARY_TYPES and media["schema"] != BINARY:
            found.append(f"{status} {content_type} is not a binary string")
    return found


@pytest.fixture
def spec(client) -> dict[str, Any]:
    return client.get("/api/openapi.json").get_json()  # type: ignore[no-any-return]


def test_every_operation_has_one_success_response_with_a_schema_for_its_body(spec):
    problems = {}
    for name, operation in operations(spec):
        statuses = success_status(operation)
        if len(statuses) != 1:
            problems[name] = [f"success responses {statuses}"]
            continue
        found = problems_of(statuses[0], operation["responses"][statuses[0]])
        if found:
            problems[name] = found
    assert problems == {}
    assert len(operations(spec)) > 70


def test_images_and_event_streams_are_documented_with_their_content_type(spec):
    documented = {name: set(operation["responses"][success_status(operation)[0]].get("content") or {})
                  for name, operation in operations(spec)}
    assert documented["GET /api/v1/auth/qr-tickets/{ticket_id}/qr.png"] == {"image/png"}
    assert documented["GET /api/v1/applications/{number}/receipt/qr.svg"] == {"image/svg+xml"}
    assert documented["GET /api/v1/certificates/{number}/download"] == {"application/pdf", "image/svg+xml"}
    assert documented["GET /api/v1/events/stream"] == {"text/event-stream"}


# ---- the error envelope ---------------------------------------------------------------------

def error_properties(spec: dict[str, Any]) -> set[str]:
    reference = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]["schema"]["$ref"]
    return set(spec["components"]["schemas"][reference.rsplit("/", 1)[1]]["properties"])


@pytest.fixture
def exploding_app(base_config) -> Flask:
    app = create_app(base_config)

    @app.get("/api/v1/explode")
    @access("public")
    def explode():
        raise RuntimeError("an unexpected failure")

    @app.get("/api/v1/unavailable")
    @access("public")
    def unavailable():
        raise redis_lib.ConnectionError("Redis is restarting")  # what a dependency's fault raises

    return app


def test_the_error_schema_lists_every_key_a_real_error_carries(app, client, spec, exploding_app):
    sign_in(app, client, create_user("chenming"))
    refused = client.post("/api/v1/bundles/after-death/form/check", json={"answers": {"no.such": 1}})
    failed = exploding_app.test_client().get("/api/v1/explode")
    unavailable = exploding_app.test_client().get("/api/v1/unavailable")
    assert (refused.status_code, failed.status_code, unavailable.status_code) == (422, 500, 503)
    # A refusal that shows the way on: the family's case about the same person.
    ApplicationFactory(bundle="after-death", subject_ref="p-0123456789ab")
    taken = client.post("/api/v1/applications", json={"bundle": "after-death", "subject_ref": "p-0123456789ab"})
    assert taken.status_code == 409
    carried = set(refused.get_json()) | set(failed.get_json()) | set(taken.get_json()) | set(unavailable.get_json())
    assert carried == error_properties(spec)
    assert {"reason", "error_id", "errors"} <= carried
