"""What residents read: search by their own words, one set of burden figures, counts that read
right, English screens without Chinese, and a nav that fits a 320 px phone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from bff.demo import personas
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.browser.journeys import complete_wizard

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def open_home(page: Page, *, english: bool = False, elder: bool = False) -> None:
    page.goto("/")
    wait_for_app(page)
    if english:
        page.get_by_role("button", name="切换语言").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    if elder:
        page.locator(".header__tool[aria-pressed]").click()
        expect(page.locator("html")).to_have_class(re.compile("elder"))
    page.wait_for_selector("ot-bundle-card")


def search(page: Page, words: str) -> list[str]:
    box = page.get_by_role("searchbox")
    box.fill(words)
    page.get_by_role("search").get_by_role("button").click()
    # The cards say which search they answer once the server's answer replaced them.
    expect(page.locator("ul.cards")).to_have_attribute("data-shows", f"|{words.strip()}")
    return page.locator("ot-bundle-card h3").all_inner_texts()


# ---- search -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("words", "name"), [("身后事", "身后一件事"), ("丧葬", "身后一件事"), ("去世", "身后一件事"),
                                             ("生孩子", "出生一件事"), ("退休金", "退休一件事"), ("shs", "身后一件事")])
def test_the_words_residents_use_find_their_life_event(server: LiveServer, page: Page, words: str, name: str) -> None:
    open_home(page)
    found = search(page, words)
    assert found and found[0] == name
    expect(page.get_by_role("status").filter(has_text="件事")).to_be_visible()
    assert_accessible(page)


def test_each_example_in_the_placeholder_finds_its_life_event(server: LiveServer, page: Page) -> None:
    open_home(page)
    placeholder = page.get_by_role("searchbox").get_attribute("placeholder") or ""
    examples = [w for w in re.split(r"[、,，]\s*", re.split(r"[:：]\s*", placeholder, maxsplit=1)[-1]) if w]
    assert examples == ["出生", "退休", "身后事"]
    for example, name in zip(examples, ["出生一件事", "退休一件事", "身后一件事"], strict=True):
        assert search(page, example)[0] == name


def test_in_english_a_search_finds_one_service_and_says_so_in_the_singular(server: LiveServer, page: Page) -> None:
    open_home(page, english=True)
    assert search(page, "funeral") == ["After a death"]
    expect(page.locator("main p[role=status]")).to_have_text("1 service")
    assert search(page, "xyzzy") == []
    expect(page.locator("main p[role=status]")).to_contain_text("Nothing found for “xyzzy”")
    assert_accessible(page)


def test_a_search_kept_in_the_address_is_run_again_on_reload(server: LiveServer, page: Page) -> None:
    page.goto("/?q=shenhoushi")
    wait_for_app(page)
    expect(page.locator("ot-bundle-card h3")).to_have_text(["身后一件事"])


# ---- one set of burden figures ------------------------------------------------------------------

def figures(scope) -> dict[str, int]:
    items = scope.locator("ul.figures li[data-figure]")
    return {item.get_attribute("data-figure"): int(item.locator("strong").inner_text()) for item in items.all()}


def test_the_home_card_and_the_bundle_page_show_the_same_figures_as_the_server(server: LiveServer, page: Page) -> None:
    totals = page.request.get(f"{server.url}/api/v1/bundles/after-death").json()["burden"]["saved"]
    open_home(page)
    card = page.locator("ot-bundle-card", has_text="身后一件事")
    expected = {"burden_trips": totals["trips"], "burden_materials": totals["materials"], "burden_forms": totals["fields"]}
    assert figures(card) == expected
    card.get_by_role("link", name="身后一件事").click()
    expect(page.locator("h1")).to_have_text("身后一件事")
    expect(page.get_by_role("heading", name="最多可为您省去")).to_be_visible()
    assert figures(page.locator("main")) == expected
    assert_accessible(page)


@pytest.mark.parametrize("english", [False, True], ids=["zh-CN", "en"])
def test_the_review_and_the_receipt_show_the_residents_figures_within_the_totals(
        server: LiveServer, context: BrowserContext, page: Page, english: bool) -> None:
    bundle = page.request.get(f"{server.url}/api/v1/bundles/birth").json()
    totals = bundle["burden"]["saved"]
    sign_in_context(server, context, "zhangwei")
    open_home(page, english=english)
    page.goto("/app/apply/birth")
    wait_for_app(page)
    complete_wizard(page, {"subject.name": "张小宝"}, check_every_page=False)
    expect(page.locator("h1")).to_have_text("Check your answers" if english else "检查您的申请")
    page.wait_for_selector("main [data-checked='1']", state="attached")  # the figures for these answers
    review = figures(page.locator("main"))
    assert review and all(0 < n <= totals[k] for k, n in
                          zip(["trips", "materials", "fields"], review.values(), strict=True))
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".receipt-scope")).to_be_visible()
    cases = page.locator("main .task-list__item")
    items, departments = cases.count(), len(bundle["departments"])
    assert items > departments  # more items than departments: the two counts must not be confused
    expect(page.locator(".receipt-scope")).to_have_text(
        f"{items} services, {departments} departments" if english else f"{items} 项事项，{departments} 个部门")
    assert figures(page.locator("main")) == review
    if english:
        assert [text for text in visible_cjk(page) if "张小宝" not in text and text not in {"张伟"}] == []
    assert_accessible(page)


# ---- words ---------------------------------------------------------------------------------------

def visible_cjk(page: Page) -> list[str]:
    """Visible text with Chinese characters, outside the language switch (which names 中文 in Chinese)."""
    return page.evaluate(r"""() => {
      const found = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      const cjk = /[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]/;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const host = node.parentElement;
        if (!cjk.test(node.textContent) || host.closest('[lang="zh-CN"], .visually-hidden, script, style, [hidden]')) continue;
        if (host.getClientRects().length) found.push(node.textContent.trim());
      }
      return found;
    }""")


ENGLISH_PAGES = ["/", "/app/bundles/birth", "/app/bundles/retirement", "/app/bundles/after-death",
                 "/app/applications", "/app/inbox", "/app/settings", "/app/apply/retirement"]


def test_the_main_pages_in_english_show_no_chinese(server: LiveServer, context: BrowserContext, page: Page) -> None:
    sign_in_context(server, context, "lijianguo")
    people = {p.name for p in personas()}
    open_home(page, english=True)
    seen = {}
    for path in ENGLISH_PAGES:
        page.goto(path)
        wait_for_app(page)
        page.wait_for_load_state("networkidle")
        expect(page.locator("h1")).not_to_be_empty()
        seen[path] = [text for text in visible_cjk(page) if text not in people]
    assert seen == {path: [] for path in ENGLISH_PAGES}


def test_the_english_bundle_page_says_nothing_to_upload_rather_than_only_0(server: LiveServer, page: Page) -> None:
    totals = page.request.get(f"{server.url}/api/v1/bundles/retirement").json()["burden"]
    assert totals["uploads_left"] == 0 and totals["saved"]["trips"] > 1
    open_home(page, english=True)
    expect(page.locator("ot-bundle-card", has_text="Retiring").locator(".card__meta")).to_contain_text("services")
    page.goto("/app/bundles/retirement")
    wait_for_app(page)
    main = page.locator("main")
    expect(main).to_contain_text(f"Documents: {totals['materials_separately']} separately → nothing to upload")
    expect(page.locator("main li[data-figure='burden_trips']")).to_have_text(f"{totals['saved']['trips']} fewer trips")
    expect(main).not_to_contain_text("only 0 to")
    assert_accessible(page)


@pytest.mark.parametrize("english", [False, True], ids=["zh-CN", "en"])
@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_the_nav_fits_a_320_px_phone_with_every_item_in_sight(server: LiveServer, signed_in_page: Callable[..., Page],
                                                               english: bool, elder: bool) -> None:
    page = signed_in_page("zhangwei")
    page.set_viewport_size({"width": 320, "height": 640})
    open_home(page, english=english, elder=elder)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    links = page.locator("nav.nav a")
    assert links.count() >= 3
    for link in links.all():
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320, link.inner_text()
    header_tools = page.locator(".header__tool")
    for tool in header_tools.all():
        box = tool.bounding_box()
        assert box and box["x"] + box["width"] <= 320, tool.inner_text()
    assert_accessible(page)


# ---- the service desk --------------------------------------------------------------------------

@pytest.mark.parametrize(("english", "words", "name"), [(False, "我爸去世了", "身后一件事"), (True, "pension", "Retiring")],
                         ids=["zh-CN", "en"])
def test_the_service_desk_finds_a_life_event_in_the_residents_words(
        server: LiveServer, new_desktop_context: Callable[[], BrowserContext], english: bool, words: str, name: str) -> None:
    context = new_desktop_context()
    sign_in_context(server, context, "zhoumin")
    page = context.new_page()
    page.goto("/staff")
    wait_for_app(page)
    if english:
        page.get_by_role("button", name="切换语言").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    section = page.locator("section.staff-life-event")
    if english:  # the desk is drawn again in English: search in the new one, not the one it replaces
        expect(section.get_by_role("heading")).to_have_text("Find a life event for a resident")
    section.get_by_role("searchbox").fill(words)
    section.get_by_role("button").click()
    link = section.get_by_role("link").first
    expect(link).to_contain_text(name)
    assert link.get_attribute("target") == "_blank"
    assert_accessible(page)
