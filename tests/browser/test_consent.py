"""Heirs' consent in the browser: 刘秀英 (80, large text) agrees on her phone and 陈丽 in 我的办件, so the
inheritance items move on and everyone is told; or 陈丽 declines, 陈明 uploads the notarised
certificate, and the pension officer sees it on the workbench."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import BrowserContext, Page, expect

from bff.extensions import db
from tests.api.application_helpers import officer_client, start, submit
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.browser.journeys import run_worker
from tests.factories import create_user, sign_in

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj\n<< /Title (Notarised inheritance certificate) >>\nendobj\ntrailer\n%%EOF\n"


def chenming_applies(server: LiveServer, client: FlaskClient) -> dict[str, Any]:
    """陈明 submits the after-death bundle (through the API: his journey is tested elsewhere) and the
    hospital's death certificate is approved, so only the family's consent holds the inheritance."""
    user = create_user("chenming")
    sign_in(server.app, client, user)
    number = start(client, "after-death", user_id=user.id)["number"]
    receipt = submit(client, number).json
    run_worker(server.app)
    health = officer_client(server.app, "health")
    reference = next(c["reference"] for c in receipt["cases"] if c["item"] == "death-medical-certificate")
    assert health.post(f"/api/v1/officer/cases/{reference}/accept").status_code == 200
    assert health.post(f"/api/v1/officer/cases/{reference}/approve").status_code == 200
    run_worker(server.app)
    return {"number": number, "receipt": receipt}


def heir_page(server: LiveServer, new_context: Callable[..., BrowserContext], key: str, *, elder: bool = False) -> Page:
    context = new_context()
    user = sign_in_context(server, context, key)
    if elder:
        user.elder_mode = True
        db.session.commit()
    return context.new_page()


def answer_in_my_applications(page: Page, decision: str) -> None:
    page.goto("/app/applications")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="待您确认")).to_be_visible()
    page.get_by_role("link", name="陈明 为 陈国华 办理的继承事项").click()
    expect(page.locator("h1")).to_have_text("请确认继承事项")
    if decision == "同意":
        page.get_by_label("我已阅读并同意以上承诺").check()
    page.get_by_role("button", name=decision, exact=True).click()


def test_the_mother_consents_in_large_text_then_the_items_move_on_and_everyone_is_told(
        server: LiveServer, client: FlaskClient, new_context: Callable[..., BrowserContext], page: Page) -> None:
    mother = heir_page(server, new_context, "liuxiuying", elder=True)  # both have the app already
    sister = heir_page(server, new_context, "chenli")
    applied = chenming_applies(server, client)
    mother.goto("/app/inbox")
    wait_for_app(mother)
    expect(mother.locator("html")).to_have_class("elder")
    mother.get_by_role("link", name="家人办理继承事项，需要您确认").click()
    expect(mother.locator("h1")).to_have_text("请确认继承事项")
    assert mother.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    expect(mother.get_by_text("陈国华 已去世。陈明 正在为家人办理后事")).to_be_visible()
    expect(mother.get_by_text("同意由 陈明 代为领取")).to_be_visible()
    expect(mother.get_by_text("请在")).to_be_visible()  # the deadline
    assert_accessible(mother)
    agree = mother.get_by_role("button", name="同意", exact=True)
    assert agree.bounding_box()["height"] >= 48  # type: ignore[index]  # a big target for an elder's thumb
    agree.click()
    expect(mother.get_by_text("请先阅读并勾选承诺书")).to_be_visible()  # nothing sent yet
    mother.get_by_label("我已阅读并同意以上承诺").check()
    agree.click()
    expect(mother.get_by_text("已收到您的同意，谢谢。")).to_be_visible()
    assert_accessible(mother)

    answer_in_my_applications(sister, "同意")
    expect(sister.get_by_text("已收到您的同意，谢谢。")).to_be_visible()

    run_worker(server.app)  # the released items go to their departments; everyone's notifications
    sign_in_context(server, page.context, "chenming")
    page.goto(f"/app/applications/{applied['number']}")
    wait_for_app(page)
    expect(page.get_by_text("家人均已同意", exact=True)).to_be_visible()
    assert_accessible(page)
    page.goto("/app/inbox")
    expect(page.get_by_role("link", name="家人均已同意，继承事项继续办理")).to_have_count(1)
    mother.goto("/app/inbox")
    expect(mother.get_by_role("link", name="继承事项的确认已结束")).to_have_count(1)
    hrss = officer_client(server.app, "hrss").get("/api/v1/officer/cases").json["cases"]
    assert "pension-stop-inheritance" in {c["item"] for c in hrss}


def test_a_decline_leads_to_the_upload_and_the_pension_officer_sees_the_document(
        server: LiveServer, client: FlaskClient, new_context: Callable[..., BrowserContext], page: Page,
        new_desktop_context: Callable[[], BrowserContext], tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(server.app.config, "STORAGE_DIR", str(tmp_path / "uploads"))
    applied = chenming_applies(server, client)
    sister = heir_page(server, new_context, "chenli")
    answer_in_my_applications(sister, "不同意")
    expect(sister.get_by_text("已记录您不同意")).to_be_visible()

    sign_in_context(server, page.context, "chenming")
    page.goto(f"/app/applications/{applied['number']}")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="上传继承权公证书")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("选择文件").set_input_files({"name": "公证书.png", "mimeType": "image/png", "buffer": PDF})
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("文件内容与其类型或扩展名不符")).to_be_visible()  # a PDF named .png: refused
    page.get_by_label("选择文件").set_input_files({"name": "公证书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("已收到继承权公证书，继承事项继续办理")).to_be_visible()
    expect(page.get_by_role("heading", name="上传继承权公证书")).to_have_count(0)  # nothing more to upload

    run_worker(server.app)
    officer = new_desktop_context().new_page()
    sign_in_context(server, officer.context, "officer-hrss")
    reference = next(c["reference"] for c in applied["receipt"]["cases"] if c["item"] == "pension-stop-inheritance")
    officer.goto(f"/officer?case={reference}")
    wait_for_app(officer)
    expect(officer.get_by_role("heading", name="申请人上传的材料")).to_be_visible()
    link = officer.get_by_role("link", name="查看继承权公证书")
    expect(link).to_be_visible()
    assert_accessible(officer)
    document = officer.request.get(link.get_attribute("href") or "")
    assert document.status == 200 and document.body() == PDF
    assert document.headers["content-disposition"].startswith("attachment")
