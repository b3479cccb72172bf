"""The proactive birth journey on a phone: the hospital's record reaches the registry, the father
opens the offer from his inbox and submits the whole bundle in at most four taps."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from bff.core.clock import china_today
from bff.extensions import db
from bff.services.forms import current_sources
from bff.services.proactive.signals import receive_signal
from tests.api.test_proactive import world_signal
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.browser.journeys import run_worker

pytestmark = pytest.mark.browser


class Taps:
    """Counts what the resident taps (typing a name is not a tap)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, target: Locator) -> None:
        self.count += 1
        target.click()


def send_birth_signal(server: LiveServer) -> None:
    with server.app.app_context():
        receive_signal(db.session, current_sources(), world_signal("birth"), source="sample", today=china_today())
    run_worker(server.app)  # the offer's inbox entry (and push) are made by the notifier


def test_from_the_inbox_to_the_receipt_of_the_birth_bundle_in_four_taps(
        server: LiveServer, signed_in_page: Callable[..., Page]) -> None:
    page = signed_in_page("zhangwei")
    send_birth_signal(server)
    page.goto("/")
    wait_for_app(page)
    ready = page.get_by_role("region", name="为您备好")
    expect(ready).to_contain_text("宝宝的出生信息已登记，出生一件事已为您备好，只需确认 3 项")
    assert_accessible(page)

    page.goto("/app/inbox")
    wait_for_app(page)
    tap = Taps()
    tap(page.get_by_role("link", name="宝宝的出生信息已登记，出生一件事已为您备好，只需确认 3 项"))
    expect(page.locator("h1")).to_have_text("出生一件事")
    expect(page.get_by_role("heading", name="只需确认 3 项")).to_be_visible()
    expect(page.locator("ot-field")).to_have_count(3)  # the name, the hukou, the delivery (suggested)
    assert_accessible(page)

    page.locator("ot-field[data-key='subject.name'] input").fill("张小宝")
    tap(page.get_by_label("随父落户"))
    tap(page.locator("#offer-confirm"))
    tap(page.get_by_role("button", name="确认并提交"))

    expect(page.locator("h1")).to_have_text("申请已提交")
    assert page.locator(".panel__number").inner_text().startswith("YJ")
    assert tap.count <= 4
    assert_accessible(page)


def test_an_offer_declined_on_the_phone_leaves_the_home_page_and_shows_as_declined(
        server: LiveServer, signed_in_page: Callable[..., Page]) -> None:
    page = signed_in_page("wangfang")
    page.set_viewport_size({"width": 320, "height": 640})
    send_birth_signal(server)
    page.goto("/")
    wait_for_app(page)
    page.get_by_role("region", name="为您备好").get_by_role("link").click()
    page.get_by_role("button", name="不需要").click()
    expect(page.locator("h1")).to_have_text("为您备好与免申即享")
    expect(page.get_by_text("已谢绝")).to_be_visible()
    assert_accessible(page)
    page.goto("/")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="出生一件事").first).to_be_attached()
    expect(page.get_by_role("region", name="为您备好")).to_have_count(0)


def test_agreeing_to_the_senior_card_shows_the_decision_its_data_and_an_objection_in_english_elder_mode(
        server: LiveServer, signed_in_page: Callable[..., Page]) -> None:
    from tests.api.test_proactive import sixtieth_birthday

    page = signed_in_page("lijianguo")
    with server.app.app_context():
        receive_signal(db.session, current_sources(), sixtieth_birthday(), source="registry", today=china_today())
    page.goto("/")
    wait_for_app(page)
    page.get_by_role("button", name="切换语言").click()
    page.get_by_role("button", name="Large text").click()
    expect(page.locator("html")).to_have_class("elder")
    ready = page.get_by_role("region", name="Ready for you")
    expect(ready).to_contain_text("Shared data shows you are entitled to the Senior card")
    assert_accessible(page)

    ready.get_by_role("link").click()
    page.get_by_role("button", name="Agree to be granted it automatically").click()
    expect(page.locator("h1")).to_have_text("Ready for you, and granted without applying")
    grant = page.locator("#grants + ul li").first
    expect(grant).to_contain_text("Senior card · Granted")
    expect(grant).to_contain_text("Age (full years)")
    expect(grant).to_contain_text("Zhejiang hukou")
    assert_accessible(page)

    reason = page.get_by_label("Disagree with this decision? Say why; the department reviews it")
    reason.fill("I hold a card from another province")
    page.get_by_role("button", name="Object").click()
    expect(page.locator("#grants + ul li").first).to_contain_text("Objection under review")
    assert_accessible(page)


def test_the_civil_affairs_officer_reviews_an_objection_on_the_workbench(
        server: LiveServer, new_desktop_context: Callable[[], BrowserContext]) -> None:
    from tests.api.staff_helpers import signed_in_client
    from tests.api.test_proactive import sixtieth_birthday

    resident, _ = signed_in_client(server.app, "lijianguo")
    resident.put("/api/v1/offers/settings", json={"offers_off": [], "automatic_items": ["senior-card"]})
    with server.app.app_context():
        receive_signal(db.session, current_sources(), sixtieth_birthday(), source="registry", today=china_today())
    grant = resident.get("/api/v1/offers").json["grants"][0]
    resident.post(f"/api/v1/offers/grants/{grant['id']}/objection", json={"reason": "我已在外省领过优待证"})

    officer = new_desktop_context().new_page()
    sign_in_context(server, officer.context, "officer-civil-affairs")
    officer.goto(f"{server.url}/officer")
    wait_for_app(officer)
    objections = officer.get_by_role("region", name="免申办理的异议")
    expect(objections).to_contain_text("我已在外省领过优待证")
    expect(objections).to_contain_text("年龄（周岁）")
    assert_accessible(officer)
    objections.get_by_role("button", name="撤销办理").click()
    expect(objections).to_contain_text("已撤销，居民会收到通知。")
    expect(objections).to_contain_text("没有待复核的异议。")
    assert resident.get("/api/v1/offers").json["grants"][0]["status"] == "withdrawn"


def test_the_settings_page_turns_offers_off_by_kind_and_automatic_grants_on_by_item(
        server: LiveServer, signed_in_page: Callable[..., Page]) -> None:
    page = signed_in_page("lijianguo")
    page.goto("/app/settings")
    wait_for_app(page)
    section = page.locator("#proactive-settings")
    expect(section.get_by_label("老年人优待证")).not_to_be_checked()  # opt-in
    expect(section.get_by_label("出生一件事")).to_be_checked()  # opt-out
    section.get_by_label("老年人优待证").check()
    section.get_by_label("出生一件事").uncheck()
    section.get_by_role("button", name="保存主动服务设置").click()
    expect(section.get_by_role("status")).to_have_text("主动服务设置已保存。")
    assert_accessible(page)
    settings = page.request.get("/api/v1/offers").json()["settings"]
    assert {i["item"]: i["on"] for i in settings["automatic_items"]} == {"senior-card": True, "old-age-allowance": False}
    assert {k["kind"]: k["on"] for k in settings["offer_kinds"]}["birth"] is False
