"""One case for the family, in the browser: a relative who starts the same bundle is shown the
family's case and joins it; the lead accepts from the family panel, invites from the registry."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bff.extensions import db
from bff.store.models import User
from tests.api.application_helpers import submitted_application
from tests.browser.conftest import LiveServer, assert_accessible, wait_for_app

pytestmark = pytest.mark.browser


def elder(key: str) -> None:
    """The persona reads in elder mode (large text), as set in their settings."""
    db.session.query(User).filter_by(subject=key).update({"elder_mode": True})
    db.session.commit()


def test_chen_li_tries_to_apply_and_joins_her_brothers_case_instead(
        server: LiveServer, client: Any, signed_in_page: Callable[..., Page]) -> None:
    number = submitted_application(server.app, client, "after-death")["number"]
    chenli = signed_in_page("chenli")
    chenli.goto("/app/apply/after-death")
    wait_for_app(chenli)
    expect(chenli.locator("h1")).to_have_text("家人已在办理")
    expect(chenli.get_by_text(re.compile(r"^您的家人 陈明 已于 .+ 提交，您可以加入办理。$"))).to_be_visible()
    assert_accessible(chenli)
    chenli.get_by_role("button", name="申请加入").click()
    expect(chenli.get_by_text("已申请加入，等待 陈明 确认。确认后可在“我的办件”中查看。")).to_be_visible()

    chenming = signed_in_page("chenming")
    chenming.goto(f"/app/applications/{number}")
    wait_for_app(chenming)
    panel = chenming.locator("ot-family-panel")
    expect(panel.locator(".family__pending li", has_text="陈丽")).to_contain_text("申请加入")
    expect(panel.locator(".family__invitable li", has_text="陈丽")).to_have_count(0)  # she asked: accept instead
    expect(chenming.get_by_role("button", name="撤回申请")).to_be_visible()  # the lead's alone
    assert_accessible(chenming)
    panel.get_by_role("button", name="同意 陈丽 加入").click()
    expect(panel.get_by_text("陈丽 已加入办理。")).to_be_visible()
    expect(panel.locator(".family__members li", has_text="陈丽")).to_contain_text("共同办理人")

    chenli.goto("/app/applications")
    card = chenli.locator(".card", has_text=number)
    expect(card).to_contain_text("共同办理")
    card.get_by_role("link").click()
    expect(chenli.locator("ot-step-view li")).to_have_count(9)
    members = chenli.locator("ot-family-panel .family__members li")
    expect(members.filter(has_text="陈明")).to_contain_text("主办人")
    expect(members.filter(has_text="陈丽（我）")).to_contain_text("共同办理人")
    expect(chenli.get_by_role("button", name="撤回申请")).to_have_count(0)  # a co-handler would get 403
    expect(chenli.locator(".timeline-groups")).to_contain_text("有家人申请加入共同办理")
    assert_accessible(chenli)


def test_the_lead_invites_his_mother_who_accepts_in_elder_mode(
        server: LiveServer, client: Any, signed_in_page: Callable[..., Page]) -> None:
    number = submitted_application(server.app, client, "after-death")["number"]
    chenming = signed_in_page("chenming")
    chenming.goto(f"/app/applications/{number}")
    wait_for_app(chenming)
    panel = chenming.locator("ot-family-panel")
    expect(panel.locator(".family__invitable li")).to_have_count(2)  # 刘秀英 and 陈丽, from the registry
    panel.get_by_role("button", name="邀请 刘秀英").click()
    expect(panel.get_by_text("已邀请 刘秀英。")).to_be_visible()
    expect(panel.locator(".family__pending li", has_text="刘秀英")).to_contain_text("对方首次登录后可见")

    mother = signed_in_page("liuxiuying")  # her first sign-in: the invitation is waiting
    elder("liuxiuying")
    mother.goto(f"/app/join/{number}")
    wait_for_app(mother)
    expect(mother.locator("html")).to_have_class("elder")
    expect(mother.get_by_text(re.compile(r"^陈明 于 .+ 邀请您共同办理这件事。$"))).to_be_visible()
    assert mother.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    assert_accessible(mother)
    mother.get_by_role("button", name="接受邀请").click()
    expect(mother.locator("ot-step-view li")).to_have_count(9)
    expect(mother.locator("ot-family-panel .family__members li", has_text="刘秀英（我）")).to_be_visible()
    assert_accessible(mother)


def test_wang_fang_tries_the_birth_bundle_after_zhang_wei_and_sees_his_case(
        server: LiveServer, client: Any, signed_in_page: Callable[..., Page]) -> None:
    number = submitted_application(server.app, client, "birth")["number"]
    wangfang = signed_in_page("wangfang")
    wangfang.goto("/app/bundles/birth")
    wait_for_app(wangfang)
    wangfang.get_by_role("link", name="开始申请").first.click()
    expect(wangfang.locator("h1")).to_have_text("家人已在办理")
    expect(wangfang.get_by_text(re.compile(r"^您的家人 张伟 已于 .+ 提交，您可以加入办理。$"))).to_be_visible()
    wangfang.get_by_role("button", name="申请加入").click()
    expect(wangfang.get_by_text(re.compile("等待 张伟 确认"))).to_be_visible()
    request = client.get(f"/api/v1/applications/{number}/members").json["members"][-1]
    assert client.post(f"/api/v1/applications/{number}/members/{request['id']}/accept").status_code == 200
    wangfang.goto("/app/apply/birth")  # now one of the family: straight to the case
    expect(wangfang).to_have_url(re.compile(f"/app/applications/{number}$"))
    expect(wangfang.locator("ot-step-view li").first).to_be_visible()
    expect(wangfang.locator("ot-family-panel .family__members li", has_text="张伟")).to_contain_text("主办人")
    assert_accessible(wangfang)
