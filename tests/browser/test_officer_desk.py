"""The officer's desk says who is signed in and for which department, and an approval — which issues
an e-certificate to the resident — is confirmed first; cancelling issues nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from bff.core import applications as rules
from bff.core.catalog import default_catalog
from bff.extensions import db
from bff.store.models import Case, Certificate, User
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.browser
ITEM = "birth-medical-certificate"


def officer_on_a_case_in_review(server: LiveServer, context: BrowserContext, language: str) -> tuple[Page, Case, User]:
    application = ApplicationFactory(case_status=rules.PROCESSING)
    case = db.session.query(Case).filter_by(application_id=application.id, item=ITEM).one()
    officer = sign_in_context(server, context, "officer-health")
    db.session.query(User).filter_by(id=officer.id).update({"language": language})
    db.session.commit()
    page = context.new_page()
    page.goto(f"/officer?case={case.reference}")
    wait_for_app(page)
    return page, case, officer


def certificates_of(case: Case) -> int:
    db.session.expire_all()
    return db.session.query(Certificate).filter_by(case_id=case.id).count()


def test_the_officer_confirms_before_approving_and_sees_who_is_signed_in(
        server: LiveServer, new_desktop_context: Callable[[], BrowserContext]) -> None:
    page, case, officer = officer_on_a_case_in_review(server, new_desktop_context(), "zh-CN")
    department = default_catalog().departments["health"].name
    expect(page.locator(".header__who")).to_have_text(f"{officer.name} · {department.zh}")

    page.get_by_role("button", name="批准并签发证照").click()
    dialog = page.get_by_role("dialog", name="批准并签发电子证照？")
    expect(dialog).to_contain_text(case.reference)
    assert_accessible(page)
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)
    assert certificates_of(case) == 0  # cancelling issues nothing
    expect(page.get_by_role("button", name="批准并签发证照")).to_be_focused()

    page.get_by_role("button", name="批准并签发证照").click()
    page.get_by_role("dialog").get_by_role("button", name="确认批准并签发").click()
    expect(page.get_by_role("status")).to_have_text("已批准，电子证照已签发。")
    assert certificates_of(case) == 1


def test_the_officer_desk_in_english(server: LiveServer, new_desktop_context: Callable[[], BrowserContext]) -> None:
    page, case, officer = officer_on_a_case_in_review(server, new_desktop_context(), "en")
    department = default_catalog().departments["health"].name
    expect(page.locator(".header__who")).to_have_text(f"{officer.name} · {department.en}")
    page.get_by_role("button", name="Approve and issue").click()
    dialog = page.get_by_role("dialog", name="Approve and issue the e-certificate?")
    expect(dialog).to_contain_text(case.reference)
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert certificates_of(case) == 0
