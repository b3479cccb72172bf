"""Items that wait for each other, as residents and officers see them: the hukou registration waits for
the medical birth certificate, moves on when the health officer approves it, and the public-security
officer finds the certificate's number in the case, labelled with where it came from, typed by nobody."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from bff.core.idnumber import make_id_number
from bff.extensions import db
from bff.store.models import Application
from tests.api.application_helpers import submitted_application
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.browser.journeys import complete_wizard, officer_decides, run_worker
from tests.conftest import ApiClient
from tests.factories import create_user, sign_in

pytestmark = pytest.mark.browser
HUKOU = "出生登记（户口）"
MEDICAL = "出生医学证明"
SOCIAL_SECURITY = "社会保障卡申领"
FASTEST = re.compile(r"^最快 \d+ 个工作日全部办结")


def step(page: Page, title: str) -> Locator:
    """The step of the resident's step view named ``title``."""
    return page.locator("ot-step-view li", has=page.locator(".step-view__name", has_text=title))


def submit_birth_bundle(page: Page) -> str:
    page.goto("/app/bundles/birth")
    wait_for_app(page)
    expect(page.get_by_text(FASTEST)).to_be_visible()
    hukou_card = page.locator(".card", has=page.get_by_role("heading", name=HUKOU, exact=True))
    expect(hukou_card).to_contain_text(f"需先办结：「{MEDICAL}」")
    page.get_by_role("link", name="开始申请").first.click()
    complete_wizard(page, {"subject.name": "张小宝"}, check_every_page=False)
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator("h1")).to_have_text("申请已提交")
    expect(page.get_by_text(FASTEST)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^另有 \d+ 项需要用到其他事项的办理结果"))).to_be_visible()
    return page.locator(".panel__number").inner_text()


def certificate_number_shown_to_the_resident(page: Page) -> str:
    meta = page.locator(".task-list__meta", has_text="证照编号").first
    expect(meta).to_be_visible()
    found = re.search(r"证照编号 (\S+)", meta.inner_text())
    assert found, meta.inner_text()
    return found.group(1)


def test_the_hukou_waits_for_the_birth_certificate_then_receives_its_number(
        server: LiveServer, context: BrowserContext, page: Page,
        new_desktop_context: Callable[[], BrowserContext]) -> None:
    sign_in_context(server, context, "zhangwei")
    number = submit_birth_bundle(page)
    page.get_by_role("link", name="查看办理进度").click()

    hukou = step(page, HUKOU)
    expect(hukou).to_contain_text("等待前序事项")
    expect(hukou).to_contain_text(f"等待「{MEDICAL}」办结")
    expect(page.get_by_text(FASTEST)).to_be_visible()
    names = page.locator("ot-step-view .step-view__name").all_inner_texts()
    assert names.index(MEDICAL) < names.index(HUKOU), names  # dependency order
    assert_accessible(page)

    run_worker(server.app)  # the cases that can start go to the departments' workbenches
    health = new_desktop_context().new_page()
    sign_in_context(server, health.context, "officer-health")
    officer_decides(health, server.url, MEDICAL)

    expect(step(page, MEDICAL)).to_contain_text("已办结", timeout=20000)  # live, no reload
    expect(hukou).to_contain_text("已提交", timeout=20000)
    expect(hukou).not_to_contain_text(f"等待「{MEDICAL}」")
    expect(hukou).to_contain_text("前办结")  # the promised date now counts from its release
    certificate = certificate_number_shown_to_the_resident(page)
    assert_accessible(page)

    run_worker(server.app)  # the released hukou case goes to public security
    police = new_desktop_context().new_page()
    sign_in_context(server, police.context, "officer-public-security")
    police.goto("/officer")
    wait_for_app(police)
    police.get_by_role("link", name=re.compile(HUKOU)).first.click()
    expect(police.locator("#case-title")).to_have_text(re.compile(rf"^{HUKOU} · {number}-\d+$"))  # in words, not a dict
    received = police.locator("dl.summary .summary__row", has_text=certificate)
    expect(received).to_be_visible()
    expect(received).to_contain_text(re.compile(rf"来自 \S*卫生健康\S* {MEDICAL} {number}-\d+"))
    expect(police.get_by_role("heading", name="来自其他部门的信息")).to_be_visible()
    typed = "n => [...document.querySelectorAll('input, textarea')].some((box) => box.value.includes(n))"
    assert police.evaluate(typed, certificate) is False  # shown, never a field to fill in
    assert_accessible(police)

    with server.app.app_context():
        application = db.session.query(Application).filter_by(number=number).one()
        assert certificate not in str(application.answers)  # nobody typed it: it came from the decision

    police_approves_with_the_new_citizen_id_number(police)
    expect(step(page, SOCIAL_SECURITY)).to_contain_text("已提交", timeout=20000)  # released in turn, live
    expect(step(page, SOCIAL_SECURITY)).not_to_contain_text(f"等待「{HUKOU}」")


def police_approves_with_the_new_citizen_id_number(police: Page) -> None:
    """The registration creates the newborn's ID number: the approval asks for it (checked) before it goes."""
    police.get_by_role("button", name="受理").click()
    expect(police.get_by_text("已受理，法定时限开始计算。")).to_be_visible()
    police.get_by_role("button", name="开始审核").click()
    expect(police.get_by_text("已开始审核。")).to_be_visible()
    police.get_by_role("button", name="批准并签发证照").click()
    expect(police.get_by_role("heading", name="批准前请填写本事项产生的信息")).to_be_visible()
    police.get_by_label("公民身份号码").fill("330106202612010010")  # a wrong check character
    police.locator("form").get_by_role("button", name="批准并签发证照").click()
    police.get_by_role("dialog").get_by_role("button", name="确认批准并签发").click()  # asked once per approval
    expect(police.locator(".error-summary")).to_contain_text("公民身份号码无效")
    assert_accessible(police)
    police.get_by_label("公民身份号码").fill(make_id_number("330106", date.today() - timedelta(days=2), 12))
    police.locator("form").get_by_role("button", name="批准并签发证照").click()
    expect(police.get_by_text("已批准，电子证照已签发。")).to_be_visible()


def test_a_rejected_birth_certificate_ends_the_hukou_in_plain_words_in_large_text_on_a_small_phone(
        server: LiveServer, context: BrowserContext, page: Page) -> None:
    server.app.test_client_class = ApiClient
    submitted = submitted_application(server.app, server.app.test_client())
    medical = next(c for c in submitted["receipt"]["cases"] if c["item"] == "birth-medical-certificate")
    officer = server.app.test_client()
    sign_in(server.app, officer, create_user("officer-health"))
    for action, body in (("accept", None), ("process", None), ("reject", {"reason": "出生信息与医院记录不一致"})):
        response = officer.post(f"/api/v1/officer/cases/{medical['reference']}/{action}", json=body or {})
        assert response.status_code == 200, response.json

    page.set_viewport_size({"width": 360, "height": 740})
    sign_in_context(server, context, "zhangwei")
    page.goto("/app/settings")
    wait_for_app(page)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/me") and r.request.method == "PATCH"):
        page.get_by_label("使用长辈版").check()  # kept on the account, so the next page load keeps it
    expect(page.locator("html")).to_have_class("elder")
    page.goto(f"/app/applications/{submitted['number']}")
    wait_for_app(page)

    hukou = step(page, HUKOU)
    expect(hukou).to_contain_text("无法办理")
    expect(hukou).to_contain_text(re.compile(rf"「{MEDICAL}」\S*不予批准\S*本事项无法办理"))
    expect(hukou).to_contain_text("出生信息与医院记录不一致")
    expect(step(page, MEDICAL)).to_contain_text("不予批准")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    assert_accessible(page)
