"""A bounded property-based run of every operation in the OpenAPI document (schemathesis).

Each identity (signed out, a resident, service-desk staff, an officer, an administrator) sends a few generated
requests to every operation; no answer may be a server error, and every answer must match what
the document says: its status, its content type, its headers and its body. The run is
derandomised, so a failure in CI is the same failure on a developer's machine.

schemathesis's own pytest plugin does not run under this pytest release, so the operations are
walked here and each one's strategy is given to Hypothesis directly.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bff.app import CSRF_HEADER
from tests.factories.personas import create_user

EXAMPLES_PER_OPERATION = 8
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance, response_headers_conformance]
# The test app's identity provider is unreachable on purpose (tests/conftest.py), so starting a
# login answers 503 provider_unreachable, which tests/auth/ cover; every other check still runs.
EXPECTED_SERVER_ERRORS = {"GET /auth/login"}


def headers_of(app: Flask, persona: str | None) -> dict[str, str]:
    # identity: Flask's test client does not decode a compressed body, which a browser would.
    headers = {CSRF_HEADER: "1", "Accept-Encoding": "identity"}
    if persona is not None:
        user = create_user(persona)
        record = app.extensions["sessions"].create(user.id, list(user.roles), user.department,
                                                   device="schemathesis", place="Hangzhou")
        headers["Cookie"] = f"{app.config['SESSION_COOKIE_NAME']}={record.id}"
    return headers


def failures_of(operation: Any, headers: dict[str, str]) -> str | None:
    checks = [check for check in CHECKS
              if not (check is not_a_server_error and operation.label in EXPECTED_SERVER_ERRORS)]

    @given(operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=checks)

    try:
        run()
    except BaseException as found:  # noqa: BLE001 - schemathesis raises a group of failures
        if isinstance(found, KeyboardInterrupt):
            raise
        return f"{operation.label}: {found}"
    return None


@pytest.mark.parametrize("persona", [None, "zhangwei", "zhoumin", "officer-public-security", "admin"])
def test_every_operation_answers_as_documented_and_never_with_a_server_error(app: Flask, persona: str | None) -> None:
    headers = headers_of(app, persona)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 80
    failures = [found for found in (failures_of(operation, headers) for operation in operations) if found]
    assert not failures, "\n\n".join(failures)
