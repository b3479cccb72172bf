"""Several possible subjects (twins in the hospital's records): the wizard asks whom it is about first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from bff.core.ports import BirthRecord
from bff.extensions import db
from bff.services.forms import birth_ref, current_sources
from bff.store.models import Application
from tests.browser.conftest import LiveServer, assert_accessible, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture
def twins(server: LiveServer) -> Iterator[BirthRecord]:
    """A second delivery record for 王芳 in the live sample registry (the twin), removed afterwards."""
    with server.app.app_context():
        world = current_sources().medical.world  # type: ignore[attr-defined]
    first = world.births[0]
    twin = replace(first, number=first.number[:-4] + "0018", sex="male", weight_grams=3010)
    world.births.append(twin)
    yield twin
    world.births.remove(twin)


def test_with_twins_the_father_chooses_which_child_before_the_form(server: LiveServer, twins: BirthRecord,
                                                                    signed_in_page: Callable[..., Page]) -> None:
    page = signed_in_page("zhangwei")
    page.goto("/app/apply/birth")
    wait_for_app(page)
    expect(page.locator("h1")).to_have_text("这次为谁办理？")
    expect(page.get_by_text("医院的出生记录中有 2 个孩子与您有关")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="继续").click()
    expect(page.locator(".error-summary")).to_contain_text("请选择为谁办理")
    page.get_by_label("新生儿 2 · 您是父亲").check()
    page.get_by_role("button", name="继续").click()
    page.wait_for_selector("ot-field")
    number = page.evaluate("() => location.pathname").split("/")[3]
    draft = db.session.scalar(select(Application).where(Application.number == number))
    assert draft is not None and draft.subject_ref == birth_ref(twins)  # the child chosen, not a guess
