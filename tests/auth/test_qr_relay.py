"""QR login relay (QRLJacking): an attacker's page relays a kiosk-style QR and its two digits to a victim.

What stops it: a request cannot name a place; only an enrolled kiosk's ticket names one; any other
ticket is an "unregistered device" shown with its browser and network, and flagged when the
network is not the phone's; the session a QR login yields cannot widen or keep its hold.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bff.extensions import db
from bff.store.kiosk_models import Kiosk
from bff.store.models import Event, User
from tests.api.application_helpers import case_of, officer_client, submitted_application
from tests.auth.conftest import new_browser
from tests.auth.flows import log_in
from tests.auth.test_qr_login import KIOSK_AGENT, approve, enrol_kiosk, path, scan

FORGED = "杭州市民之家 1楼 自助机 A-03"
ATTACKER_ADDRESS = "198.51.100.77"
VICTIM_ADDRESS = "203.0.113.20"


def at(address):
    return {"environ_overrides": {"REMOTE_ADDR": address}}


def desktop_ticket(browser, address=ATTACKER_ADDRESS):
    response = browser.post("/api/v1/auth/qr-tickets", json={}, headers={"User-Agent": KIOSK_AGENT}, **at(address))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def victim_phone(app):
    phone = new_browser(app)
    log_in(phone, "zhangwei")
    return phone


def test_a_relaying_page_cannot_name_the_kiosks_place(app, victim_phone):
    attacker = new_browser(app)

    forged = attacker.post("/api/v1/auth/qr-tickets", json={"place": FORGED}, headers={"User-Agent": KIOSK_AGENT})

    assert forged.status_code == 422
    assert "place" in forged.get_json()["errors"]["json"]  # the field is named in the envelope
    ticket = desktop_ticket(attacker)
    seen = scan(victim_phone, ticket).get_json()
    assert FORGED not in str(seen)
    assert seen["kind"] == "desktop" and seen["place"] == ""
    created = db.session.scalars(select(Event).where(Event.name == "qr_ticket_created")).all()
    assert all(FORGED not in str(e.data) for e in created)


def test_the_phone_sees_an_unregistered_device_its_browser_and_network_and_that_it_is_elsewhere(app, victim_phone):
    ticket = desktop_ticket(new_browser(app), ATTACKER_ADDRESS)

    seen = victim_phone.post(path(ticket, "/scan"), **at(VICTIM_ADDRESS)).get_json()

    assert seen["kind"] == "desktop"
    assert seen["device"] == "Chrome on Windows"
    assert seen["network"] == "198.51.100.0/24"  # masked: never the requester's whole address
    assert ATTACKER_ADDRESS not in str(seen)
    assert seen["same_network"] is False


def test_a_desktop_on_the_phones_own_network_is_not_flagged(app, victim_phone):
    ticket = desktop_ticket(new_browser(app), "203.0.113.99")

    seen = victim_phone.post(path(ticket, "/scan"), **at(VICTIM_ADDRESS)).get_json()

    assert seen["same_network"] is True and seen["network"] == "203.0.113.0/24"


def test_only_an_enrolled_kiosk_ticket_names_a_place_taken_from_its_enrolment(app, victim_phone):
    enrolled = enrol_kiosk(app, hall="杭州市民之家 1楼", device_name="自助机 A-03")
    kiosk = new_browser(app)

    ticket = kiosk.post("/api/v1/auth/qr-tickets", json={"kiosk_credential": enrolled["credential"]}).get_json()
    seen = scan(victim_phone, ticket).get_json()

    assert seen["kind"] == "kiosk" and seen["place"] == "杭州市民之家 1楼 自助机 A-03"
    assert enrolled["setup_url"].endswith("/kiosk#kiosk-credential=" + enrolled["credential"])
    row = db.session.scalar(select(Kiosk).where(Kiosk.id == enrolled["id"]))
    assert row is not None and enrolled["credential"] not in (row.credential_hash, row.hall, row.device_name)


def test_a_guessed_or_revoked_kiosk_credential_is_refused(app):
    refused = new_browser(app).post("/api/v1/auth/qr-tickets", json={"kiosk_credential": "x" * 43})

    assert refused.status_code == 403
    assert refused.get_json()["reason"] == "kiosk_not_enrolled"


def test_only_an_administrator_enrols_a_kiosk(app, victim_phone):
    refused = victim_phone.post("/api/v1/kiosks", json={"hall": "我家", "device_name": "自助机 A-03"})

    assert refused.status_code == 403
    assert db.session.scalar(select(Kiosk).where(Kiosk.hall == "我家")) is None


# -- the reduced scope of a session a QR login yields ------------------------------------------------

def qr_session(app, phone):
    """What the attacker's browser gets once the victim approves its relayed ticket."""
    attacker = new_browser(app)
    ticket = desktop_ticket(attacker)
    scan(phone, ticket)
    assert approve(phone, ticket).get_json()["status"] == "approved"
    assert attacker.post(path(ticket, "/complete")).status_code == 200
    return attacker


def assert_out_of_scope(response, action_zh):
    assert response.status_code == 403, response.get_json()
    body = response.get_json()
    assert body["reason"] == "qr_session_scope"
    assert body["message"].startswith(f"扫码登录的会话不能{action_zh}") and body["message"].endswith("请在手机上操作。")


def test_a_qr_session_cannot_sign_the_phone_out_or_end_any_session(app, victim_phone):
    attacker = qr_session(app, victim_phone)
    phone_handle = next(s["id"] for s in victim_phone.get("/api/v1/me/sessions").get_json()["sessions"] if s["current"])

    assert_out_of_scope(attacker.delete("/api/v1/me/sessions"), "管理登录设备")
    assert_out_of_scope(attacker.delete(f"/api/v1/me/sessions/{phone_handle}"), "管理登录设备")
    assert victim_phone.get("/api/v1/me").status_code == 200  # the phone is still signed in
    assert victim_phone.delete("/api/v1/me/sessions").status_code == 200  # the phone itself may


def test_a_qr_session_cannot_change_where_notifications_reach_the_person(app, victim_phone):
    attacker = qr_session(app, victim_phone)
    current = victim_phone.get("/api/v1/notifications/preferences").get_json()
    body = {"kinds": current["kinds"], "channels": current["channels"], "quiet_hours": current["quiet_hours"]}

    assert_out_of_scope(attacker.put("/api/v1/notifications/preferences", json=body), "修改个人资料或联系方式")
    assert victim_phone.put("/api/v1/notifications/preferences", json=body).status_code == 200


def test_a_qr_session_cannot_approve_another_qr_login(app, victim_phone):
    attacker = qr_session(app, victim_phone)
    next_ticket = desktop_ticket(new_browser(app), "192.0.2.5")

    assert_out_of_scope(scan(attacker, next_ticket), "确认其他设备的扫码登录")
    assert_out_of_scope(attacker.post(path(next_ticket, "/approve"), json={"match": next_ticket["match_code"]}),
                        "确认其他设备的扫码登录")
    assert_out_of_scope(attacker.post(path(next_ticket, "/deny")), "确认其他设备的扫码登录")


def test_a_qr_session_cannot_download_a_certificate(app, client):
    submitted = submitted_application(app, client)
    reference = case_of(submitted["receipt"], "birth-medical-certificate")
    officer = officer_client(app, "health")
    officer.post(f"/api/v1/officer/cases/{reference}/accept")
    certificate = officer.post(f"/api/v1/officer/cases/{reference}/approve").json["certificate"]
    attacker = qr_session(app, client)

    assert attacker.get("/api/v1/certificates").status_code == 200  # seeing the list is in scope
    assert_out_of_scope(attacker.get(f"/api/v1/certificates/{certificate}/download"), "下载证照")
    assert client.get(f"/api/v1/certificates/{certificate}/download").status_code == 200


def test_a_staff_member_signed_in_by_qr_cannot_reveal_a_full_id_number(app):
    staff_phone = new_browser(app)
    log_in(staff_phone, "admin")
    attacker = qr_session(app, staff_phone)

    refused = attacker.post("/api/v1/staff/residents/1/reveal", json={"field": "id_number"},
                            headers={"X-Staff-Grant": "x"})

    assert refused.status_code == 403  # a QR session acts as a resident only, and reveal refuses it besides
    assert attacker.get("/api/v1/me").get_json()["roles"] == ["resident"]
    # Should a QR session ever carry a staff role, reveal still refuses it for being a QR session.
    staff = db.session.scalar(select(User).where(User.subject == "admin"))
    record = app.extensions["sessions"].create(staff.id, ["staff"], None, kind="kiosk", via_qr=True)
    relayed = new_browser(app)
    relayed.set_cookie(app.config["SESSION_COOKIE_NAME"], record.id)
    assert_out_of_scope(relayed.post("/api/v1/staff/residents/1/reveal", json={"field": "id_number"}),
                        "查看完整证件号码")


def test_the_english_reason_says_to_use_the_phone(app, victim_phone):
    attacker = qr_session(app, victim_phone)

    refused = attacker.delete("/api/v1/me/sessions", headers={"X-Language": "en"})

    assert refused.get_json()["message"].startswith("A session signed in by QR code cannot")
    assert refused.get_json()["message"].endswith("do this on your phone.")
