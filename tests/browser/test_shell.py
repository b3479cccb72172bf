"""The app shell on a phone: languages, elder mode, offline, service worker, manifest, kiosk, axe."""

from __future__ import annotations

import re
from typing import Any

import pytest
import qrcode
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app, wait_for_service_worker

pytestmark = pytest.mark.browser


def test_home_loads_in_chinese_by_default(server: LiveServer, page: Page) -> None:
    page.goto("/")
    wait_for_app(page)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("人生大事，一次办好")
    expect(page.get_by_role("search")).to_be_visible()
    assert_accessible(page)


def test_home_switches_to_english_and_remembers_it(server: LiveServer, page: Page) -> None:
    page.goto("/")
    wait_for_app(page)
    page.get_by_role("button", name="切换语言").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Life events, done in one go")
    page.reload()
    wait_for_app(page)
    expect(page.locator("h1")).to_have_text("Life events, done in one go")
    assert_accessible(page)


def test_elder_mode_makes_the_type_large(server: LiveServer, page: Page) -> None:
    page.goto("/")
    wait_for_app(page)
    body_size = "parseFloat(getComputedStyle(document.body).fontSize)"
    assert page.evaluate(body_size) < 20
    toggle = page.get_by_role("button", name="长辈版")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("html")).to_have_class("elder")
    assert page.evaluate(body_size) >= 20
    heights = page.eval_on_selector_all("button, .button, .nav a", "els => els.map(e => e.getBoundingClientRect().height)")
    assert min(h for h in heights if h) >= 48
    assert_accessible(page)


def test_service_worker_takes_control_and_the_shell_loads_offline(server: LiveServer, context: BrowserContext,
                                                                   page: Page) -> None:
    page.goto("/")
    wait_for_app(page)
    wait_for_service_worker(page)
    context.set_offline(True)
    page.reload()
    wait_for_app(page)
    expect(page.locator("h1")).to_have_text("人生大事，一次办好")
    expect(page.locator("#offline-banner")).to_be_visible()
    page.goto("/app/applications")
    wait_for_app(page)
    assert_accessible(page)
    page.goto("/api/docs")
    expect(page.locator("h1")).to_have_text("您已离线")
    assert_accessible(page)


def test_manifest_names_the_app_and_its_icons_exist(server: LiveServer, page: Page) -> None:
    page.goto("/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(href).json()
    assert manifest["name"] == "一件事" and manifest["short_name"]
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone" and manifest["lang"] == "zh-CN"
    assert manifest["theme_color"].startswith("#")
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        response = page.request.get(icon["src"])
        assert response.ok and response.headers["content-type"].startswith(icon["type"])
        if icon["type"] == "image/png":
            assert response.body()[:8] == b"\x89PNG\r\n\x1a\n"


def test_kiosk_shows_a_login_qr_code(server: LiveServer, page: Page) -> None:
    page.goto("/kiosk")
    wait_for_app(page)
    expect(page.locator("ot-qr svg[role=img]")).to_be_visible()
    expect(page.locator(".kiosk__digits")).to_have_text(re.compile(r"^\d\d$"))
    assert_accessible(page)


@pytest.mark.parametrize(("text", "mask"), [("https://onething.example/app/qr/" + "x" * 32, 2), ("一件事 receipt 2026-000123", 5),
                                            ("a" * 300, 6), ("b" * 1200, 1)])
def test_the_qr_encoder_draws_the_same_modules_as_python_qrcode(server: LiveServer, page: Page, text: str,
                                                                 mask: int) -> None:
    page.goto("/")
    wait_for_app(page)
    src = page.evaluate("() => new URL('qr.js', document.querySelector('script[type=module]').src).href")
    ours = page.evaluate("async ([src, text, mask]) => (await import(src)).qrMatrix(text, {mask})", [src, text, mask])
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=mask, border=0)
    code.add_data(qrcode.util.QRData(text.encode(), mode=qrcode.util.MODE_8BIT_BYTE))
    code.make(fit=True)
    assert ours == code.get_matrix()


def test_the_api_docs_list_every_path_offline_from_openapi_json(server: LiveServer, page: Page) -> None:
    page.goto("/api/docs")
    spec = page.request.get("/api/openapi.json").json()
    methods = {"get", "post", "put", "patch", "delete"}
    operations = sum(1 for item in spec["paths"].values() for method in item if method in methods)
    expect(page.locator("details.operation")).to_have_count(operations)
    page.get_by_label("筛选 Filter (path, method, summary)").fill("post /api/v1/applications/{number}/submit")
    visible = page.locator("details.operation:visible")
    expect(visible).to_have_count(1)
    visible.locator("summary").click()
    expect(visible).to_contain_text("Idempotency")
    expect(visible).to_contain_text("version")
    assert_accessible(page)


def test_the_home_screen_first_load_stays_within_100_kb_compressed(server: LiveServer, context: BrowserContext,
                                                                     page: Page) -> None:
    sizes: dict[str, int] = {}

    def count(request: Any) -> None:
        response = request.response()
        if response is not None:
            sizes[request.url] = sizes.get(request.url, 0) + request.sizes()["responseBodySize"] \
                + request.sizes()["responseHeadersSize"]

    context.on("requestfinished", count)  # the page's requests and the service worker's precache
    page.goto("/")
    wait_for_app(page)
    page.wait_for_selector("ot-bundle-card")
    wait_for_service_worker(page)
    page.wait_for_load_state("networkidle")
    total = sum(sizes.values())
    print(f"home first load: {total / 1024:.1f} KB over {len(sizes)} responses")
    assert total <= 100 * 1024, sorted(sizes.items(), key=lambda kv: -kv[1])[:10]


CACHED_PATHS = """async () => {
  const out = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) out.push([name, new URL(request.url).pathname]);
  }
  return out;
}"""


def test_the_service_worker_never_caches_personal_data_and_clears_its_caches_at_logout(
        server: LiveServer, context: BrowserContext, page: Page, development_ports_busy: None) -> None:
    # With `make run`'s ports answering (as they do beside a running `make run`), logout still lands home.
    sign_in_context(server, context, "zhangwei")
    page.goto("/app/settings")
    wait_for_app(page)
    wait_for_service_worker(page)
    page.goto("/app/applications")
    wait_for_app(page)
    page.goto("/app/bundles/birth")
    wait_for_app(page)
    cached = page.evaluate(CACHED_PATHS)
    assert {"/", "/offline"} <= {path for _, path in cached}
    assert not [path for _, path in cached if path.startswith(("/api/", "/auth/"))]
    assert any(name.startswith("onething-assets-") for name, _ in cached)  # runtime copies of page modules

    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{server.url}/")
    wait_for_app(page)
    assert page.request.get("/api/v1/me").status == 401
    page.wait_for_function("async () => !(await caches.keys()).some((name) => name.startsWith('onething-assets-'))")
    assert {path for _, path in page.evaluate(CACHED_PATHS)} >= {"/", "/offline"}  # only the shell again
