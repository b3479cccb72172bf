"""Logs carry a request id on every line and never personal data."""

from __future__ import annotations

import io
import json
import logging

from bff.app import create_app

ID_NUMBER = "330106199203151314"
MOBILE = "13800000001"


def test_an_id_number_sent_in_a_request_never_reaches_the_logs(base_config):
    app = create_app({**base_config, "LOG_FORMAT": "json"})
    stream = io.StringIO()
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "_onething", False))
    original = handler.setStream(stream)
    try:
        client = app.test_client()
        client.get(f"/api/v1/people/{ID_NUMBER}?mobile={MOBILE}", headers={"X-OneThing-CSRF": "1"})
        client.post(f"/api/v1/search/{ID_NUMBER}", json={"id_number": ID_NUMBER},
                    headers={"X-OneThing-CSRF": "1"})
        logging.getLogger("bff.test").warning("looked up %s with mobile %s", ID_NUMBER, MOBILE)
    finally:
        handler.setStream(original)
    output = stream.getvalue()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert lines, "the requests above must have produced log lines"
    assert ID_NUMBER not in output and MOBILE not in output
    assert all(line["request_id"] for line in lines)
    assert any("[id-number]" in line["message"] for line in lines)
