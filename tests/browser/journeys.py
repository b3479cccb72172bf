"""Steps shared by the journey tests: filling the wizard, running the department dispatch, officers."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, wait_for_app


def run_worker(app: Any) -> None:
    """A real RQ worker in this process until the queue is empty (dispatches cases to departments)."""
    from rq import SimpleWorker

    from bff.jobs.queue import queue_for

    queue = queue_for(app)
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=True)


def wait_for_section(page: Page) -> str:
    page.wait_for_selector("ot-field")
    wait_for_app(page)
    return page.locator("h1").inner_text()


def answer_open_questions(page: Page, typed: dict[str, str]) -> None:
    """Types the given answers (by field key) and picks the first choice of every open choice question."""
    for key, value in typed.items():
        box = page.locator(f"ot-field[data-key='{key}'] input, ot-field[data-key='{key}'] textarea")
        if box.count():
            box.first.fill(value)
    for field in page.locator("ot-field").all():
        if field.locator("input[type=radio]").count() and not field.locator("input[type=radio]:checked").count():
            field.locator("input[type=radio]").first.check()
        elif field.locator("select").count() and not field.locator("select").input_value():
            field.locator("select").select_option(index=1)
        elif field.locator("input[type=checkbox]").count():
            field.locator("input[type=checkbox]").check()


def complete_wizard(page: Page, typed: dict[str, str], *, check_every_page: bool = True) -> list[str]:
    """Answers section after section until the review page; returns the section titles seen."""
    titles = []
    while True:
        page.wait_for_selector("ot-field, h1:has-text('检查您的申请'), h1:has-text('Check your answers')")
        if page.locator("ot-field").count() == 0:
            return titles
        titles.append(wait_for_section(page))
        answer_open_questions(page, typed)
        if check_every_page:
            assert_accessible(page)
        page.locator("form button[type=submit]").click()
        expect(page.locator("h1")).not_to_have_text(titles[-1])


def officer_decides(page: Page, server_url: str, case_title: str, *, approve: bool = True) -> None:
    """On the workbench: open the case, accept, start the review, then approve (or reject)."""
    page.goto(f"{server_url}/officer")
    wait_for_app(page)
    assert_accessible(page)
    page.get_by_role("link", name=case_title).first.click()
    page.get_by_role("button", name="受理").click()
    expect(page.get_by_text("已受理，法定时限开始计算。")).to_be_visible()
    page.get_by_role("button", name="开始审核").click()
    expect(page.get_by_text("已开始审核。")).to_be_visible()
    assert_accessible(page)
    if approve:
        page.get_by_role("button", name="批准并签发证照").click()
        page.get_by_role("dialog").get_by_role("button", name="确认批准并签发").click()  # it issues a certificate
        expect(page.get_by_text("已批准，电子证照已签发。")).to_be_visible()
    else:
        page.get_by_role("button", name="不予办理").click()
        page.get_by_label("不予办理的原因（申请人可见）").fill("材料不全")
        page.locator("form").get_by_role("button", name="不予办理").click()
        expect(page.get_by_text("已不予办理，申请人会看到原因。")).to_be_visible()


def approved_by_its_department(app: Any, reference: str, department: str) -> None:
    """What another case needs, approved through the real officer API (not the journey's subject), and
    the cases its approval released delivered."""
    from tests.api.application_helpers import officer_client
    from tests.conftest import ApiClient

    app.test_client_class = ApiClient  # the PWA's CSRF header
    officer = officer_client(app, department)
    assert officer.post(f"/api/v1/officer/cases/{reference}/accept").status_code == 200
    assert officer.post(f"/api/v1/officer/cases/{reference}/approve").status_code == 200
    run_worker(app)



def reach_review_from_the_home_tile(page: Page, category: str, bundle: str, typed: dict[str, str], *,
                                    start: str = "开始申请", review: str = "检查您的申请") -> list[str]:
    """From the home screen: the category tile, the bundle, the wizard, up to the review page; returns
    the section titles seen. The caller has signed in, and submits."""
    page.goto("/")
    wait_for_app(page)
    # The tile shows the category and its count ("救助", "共 1 件事"); the category filters the bundles.
    name = page.locator(".tile__name", has_text=re.compile(f"^{re.escape(category)}$"))
    page.locator("button.tile", has=name).click()
    page.get_by_role("link", name=bundle).click()
    expect(page.locator("h1")).to_have_text(bundle)
    assert_accessible(page)
    page.get_by_role("link", name=start).first.click()
    titles = complete_wizard(page, typed, check_every_page=False)
    expect(page.locator("h1")).to_have_text(review)
    assert_accessible(page)
    return titles
