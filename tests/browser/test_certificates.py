"""The in-app certificate page: what the holder reads, a QR code a phone reads back from a plain
1× screenshot, a clean print, and the public check page its QR code opens, styled as intended."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bff.core.catalog import default_catalog
from bff.extensions import db
from bff.store.models import Certificate, User
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.browser
GREEN = "rgb(0, 112, 60)"  # --success / --valid: white text on it passes WCAG AA


@pytest.fixture
def phone_1x(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Callable[[], BrowserContext]]:
    """A 390 px phone whose screenshots have one pixel per CSS pixel, closed after the test."""
    contexts: list[BrowserContext] = []

    def make() -> BrowserContext:
        contexts.append(browser.new_context(**{**browser_context_args, "viewport": {"width": 390, "height": 844},
                                               "device_scale_factor": 1}))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


def holder_page(server: LiveServer, new_context: Callable[[], BrowserContext], *, language: str = "zh-CN",
                elder: bool = False) -> tuple[Page, Certificate]:
    """张伟's phone at 1× pixels (as a screenshot a camera would see), with his approved birth bundle."""
    application = ApplicationFactory(approved=True)
    db.session.query(User).filter_by(id=application.user_id).update({"language": language, "elder_mode": elder})
    db.session.commit()
    context = new_context()
    sign_in_context(server, context, "zhangwei")
    certificate = db.session.query(Certificate).filter_by(application_id=application.id).order_by(Certificate.id).first()
    assert certificate is not None
    page = context.new_page()
    page.goto(f"/app/applications/{application.number}")
    wait_for_app(page)
    return page, certificate


def decoded_qr_codes(page: Page) -> list[str]:
    """Every QR code zxing-cpp finds in a full-page screenshot at the page's own 1× pixels."""
    shot = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    return [found.text for found in zxingcpp.read_barcodes(shot) if found.format == zxingcpp.BarcodeFormat.QRCode]


def test_the_certificate_page_names_the_issuer_and_its_qr_code_reads_from_a_1x_screenshot(
        server: LiveServer, phone_1x: Callable[[], BrowserContext]) -> None:
    page, certificate = holder_page(server, phone_1x)
    page.get_by_role("link", name=f"查看电子证照：{certificate.title_zh}").first.click()
    expect(page.locator("h1")).to_have_text(certificate.title_zh)
    department = default_catalog().departments[certificate.issuer]
    facts = page.locator(".certificate__facts")
    expect(facts).to_contain_text(department.name.zh)
    expect(facts).to_contain_text(department.name.en)
    expect(facts).to_contain_text(certificate.number)
    holder = certificate.content["subject_name"]
    expect(facts).to_contain_text(holder[0] + "*" * (len(holder) - 1))
    expect(facts).not_to_contain_text(holder)
    expect(page.locator(".certificate__badge")).to_have_text("有效")

    qr = page.get_by_role("img", name=f"证照 {certificate.number} 的核验二维码")
    box = qr.bounding_box()
    assert box and box["width"] >= 160 and box["height"] >= 160, box
    verify_url = f"{server.url}/verify/certificates/{certificate.token}"
    assert decoded_qr_codes(page) == [verify_url]
    assert_accessible(page)

    page.emulate_media(media="print")  # the printout: the certificate and its code, no app chrome or buttons
    expect(page.locator(".header")).to_be_hidden()
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    expect(qr).to_be_visible()
    page.emulate_media(media="screen")

    download = page.get_by_role("link", name="下载 PDF")
    assert download.get_attribute("href") == f"/api/v1/certificates/{certificate.number}/download"
    pdf = page.request.get(download.get_attribute("href") or "")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto(verify_url)  # what the phone that scans it opens
    badge = page.locator(".verify__badge")
    expect(badge).to_have_text("有效")
    assert badge.evaluate("b => getComputedStyle(b).backgroundColor") == GREEN
    assert badge.evaluate("b => getComputedStyle(b).color") == "rgb(255, 255, 255)"
    assert refused == []
    assert_accessible(page)


def test_the_certificate_page_in_english_and_elder_mode(server: LiveServer,
                                                       phone_1x: Callable[[], BrowserContext]) -> None:
    page, certificate = holder_page(server, phone_1x, language="en", elder=True)
    expect(page.locator("html")).to_have_class("elder")
    page.get_by_role("link", name=f"View e-certificate: {certificate.title_en}").first.click()
    expect(page.locator("h1")).to_have_text(certificate.title_en)
    department = default_catalog().departments[certificate.issuer]
    facts = page.locator(".certificate__facts")
    expect(facts).to_contain_text("Issued by")
    expect(facts).to_contain_text(department.name.en)
    expect(page.locator(".certificate__badge")).to_have_text("Valid")
    qr = page.get_by_role("img", name=f"Verification QR code of certificate {certificate.number}")
    box = qr.bounding_box()
    assert box and box["width"] >= 160, box
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing runs off a 390 px phone
    assert decoded_qr_codes(page) == [f"{server.url}/verify/certificates/{certificate.token}"]
    assert_accessible(page)

    page.goto(f"/verify/certificates/{certificate.token}")  # the check page follows the browser's language
    expect(page.locator(".verify__badge")).to_have_text("Valid")
    assert page.locator(".verify__badge").evaluate("b => getComputedStyle(b).backgroundColor") == GREEN
