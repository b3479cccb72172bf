"""The officer's case detail names each field by its catalog label, in the officer's language."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from bff.core.catalog import default_catalog
from tests.api.application_helpers import submitted_application
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.conftest import ApiClient

pytestmark = pytest.mark.browser
RAW_KEY = re.compile(r"^[a-z_]+\.[a-z_.]+$")


def test_the_case_detail_shows_field_labels_not_keys(server: LiveServer,
                                                    new_desktop_context: Callable[[], BrowserContext]) -> None:
    server.app.test_client_class = ApiClient
    submitted = submitted_application(server.app, server.app.test_client())
    case = next(c for c in submitted["receipt"]["cases"] if c["department"] == "health")
    page = new_desktop_context().new_page()
    sign_in_context(server, page.context, "officer-health")
    page.goto(f"/officer?case={case['reference']}")
    wait_for_app(page)
    terms = page.locator("dl.summary dt")
    expect(terms.first).to_be_visible()
    shown = terms.all_inner_texts()
    assert shown and not [t for t in shown if RAW_KEY.match(t)], shown
    labels = {f.label.zh for f in default_catalog().fields.values()}
    assert set(shown) <= labels
    assert_accessible(page)

    page.get_by_role("button", name="受理").click()
    page.get_by_role("button", name="要求补正").click()
    boxes = page.locator("form fieldset label").all_inner_texts()
    assert boxes and not [t for t in boxes if RAW_KEY.match(t)], boxes
