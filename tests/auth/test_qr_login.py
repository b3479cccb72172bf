"""QR login with two independent browsers: a kiosk that asks, and a signed-in phone that approves."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from auth.qr import QUIET_ZONE, qr_code
from bff.extensions import db
from bff.store.models import Event, User
from tests.auth.conftest import PUBLIC_URL, new_browser
from tests.auth.flows import log_in

KIOSK_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
HALL = "西湖区市民之家 3号自助机"


def enrol_kiosk(app, hall="西湖区市民之家", device_name="3号自助机"):
    """An administrator enrols a kiosk through the API; returns the answer (with its one-time credential)."""
    admin = new_browser(app)
    log_in(admin, "admin")
    response = admin.post("/api/v1/kiosks", json={"hall": hall, "device_name": device_name})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def kiosk(app):
    """A hall kiosk an administrator enrolled: it holds its device credential."""
    browser = new_browser(app)
    browser.kiosk_credential = enrol_kiosk(app)["credential"]
    return browser


def ask_for_ticket(kiosk):
    credential = getattr(kiosk, "kiosk_credential", None)
    body = {"kiosk_credential": credential} if credential else {}
    response = kiosk.post("/api/v1/auth/qr-tickets", json=body, headers={"User-Agent": KIOSK_AGENT})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def path(ticket, action=""):
    return f"/api/v1/auth/qr-tickets/{ticket['id']}{action}"


def scan(phone, ticket):
    return phone.post(path(ticket, "/scan"))


def approve(phone, ticket, match=None):
    return phone.post(path(ticket, "/approve"), json={"match": match or ticket["match_code"]})


def wrong_number(ticket, choices):
    return next(c for c in choices if c != ticket["match_code"])


def qr_events(user_id=None):
    query = select(Event).where(Event.name.like("qr_ticket_%")).order_by(Event.id)
    return [e for e in db.session.scalars(query) if user_id is None or e.subject_user_id == user_id]


@pytest.fixture
def resident_phone(app, phone):
    log_in(phone, "zhangwei")
    return phone


def test_a_kiosk_is_signed_in_by_the_residents_phone_and_gets_its_own_kiosk_session(app, kiosk, resident_phone):
    ticket = ask_for_ticket(kiosk)

    seen = scan(resident_phone, ticket).get_json()
    assert seen["device"] == "Chrome on Windows"
    assert seen["place"] == HALL
    assert seen["requested_at"] and seen["expires_at"]
    assert ticket["match_code"] in seen["choices"] and len(seen["choices"]) == 3
    assert approve(resident_phone, ticket).get_json()["status"] == "approved"
    assert kiosk.get(path(ticket)).get_json()["status"] == "approved"
    completed = kiosk.post(path(ticket, "/complete"))

    assert completed.status_code == 200
    assert completed.get_json() == {"status": "signed_in", "kind": "kiosk", "expires_in": 180}
    me = kiosk.get("/api/v1/me").get_json()
    assert me["name"] == "张伟"
    assert me["session"]["kind"] == "kiosk"
    phone_sid = resident_phone.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    kiosk_sid = kiosk.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert kiosk_sid != phone_sid


def test_every_transition_is_an_event_in_the_residents_history(app, kiosk, resident_phone):
    ticket = ask_for_ticket(kiosk)
    scan(resident_phone, ticket)
    approve(resident_phone, ticket)
    kiosk.post(path(ticket, "/complete"))
    user = db.session.scalar(select(User).where(User.subject == "zhangwei"))

    names = [e.name for e in qr_events(user.id)]
    created = qr_events()[0]
    logins = db.session.scalars(select(Event).where(Event.name == "login").order_by(Event.id)).all()

    assert names == ["qr_ticket_scanned", "qr_ticket_approved", "qr_ticket_consumed"]
    assert created.name == "qr_ticket_created" and created.data["place"] == HALL
    assert all(ticket["id"] not in str(e.data) for e in qr_events())  # a reference, never the ticket itself
    assert logins[-1].data == {"method": "qr", "device": "Chrome on Windows", "place": HALL}


def test_the_ticket_is_random_short_lived_and_bound_to_the_kiosk_by_an_httponly_cookie(app, kiosk):
    response = kiosk.post("/api/v1/auth/qr-tickets", json={})
    ticket = response.get_json()

    assert len(ticket["id"]) == 32  # 24 random bytes: 192 bits
    assert ticket["id"] != ask_for_ticket(kiosk)["id"]
    assert ticket["match_code"].isdigit() and len(ticket["match_code"]) == 2
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("onething_qr="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=120" in cookie
    ttl = app.extensions["redis"].ttl(f"qr:{ticket['id']}")
    assert 0 < ttl <= 180  # expires at 120 s; the record lingers a minute to say "expired"


def test_the_qr_encodes_only_the_ticket_url_with_a_four_module_quiet_zone(app, kiosk):
    ticket = ask_for_ticket(kiosk)
    url = f"{PUBLIC_URL}/app/qr/{ticket['id']}"

    svg = kiosk.get(path(ticket, "/qr.svg"))
    png = kiosk.get(path(ticket, "/qr.png"))

    assert ticket["qr_url"] == url
    assert svg.mimetype == "image/svg+xml" and svg.get_data(as_text=True).startswith("<svg")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG\r\n\x1a\n")
    code = qr_code(url)
    assert [segment.data for segment in code.data_list] == [url.encode()]
    matrix = code.get_matrix()
    assert all(not any(row) for row in matrix[:QUIET_ZONE] + matrix[-QUIET_ZONE:])
    assert all(not any(row[:QUIET_ZONE] + row[-QUIET_ZONE:]) for row in matrix)


def test_the_kiosk_learns_the_outcome_by_server_sent_events(app, kiosk, resident_phone):
    ticket = ask_for_ticket(kiosk)
    scan(resident_phone, ticket)
    stream = kiosk.get(path(ticket, "/stream"))
    chunks = (chunk.decode() if isinstance(chunk, bytes) else chunk for chunk in stream.response)
    opening = next(chunks) + next(chunks)

    approver = threading.Thread(target=lambda: approve(resident_phone, ticket))
    approver.start()
    rest = "".join(chunks)  # returns once the ticket settles
    approver.join()

    assert stream.mimetype == "text/event-stream"
    assert opening == 'retry: 2000\n\nevent: status\ndata: {"status": "scanned"}\n\n'
    assert rest.rstrip().endswith('data: {"status": "approved"}')


def test_a_ticket_expires_after_120_seconds_with_a_clear_message(app, kiosk, resident_phone, clock):
    ticket = ask_for_ticket(kiosk)
    clock.advance(seconds=121)

    by_kiosk = kiosk.get(path(ticket), headers={"Accept-Language": "en"})
    by_phone = scan(resident_phone, ticket)

    assert by_kiosk.status_code == by_phone.status_code == 410
    assert by_phone.get_json()["reason"] == "qr_expired"
    assert by_kiosk.get_json()["message"] == "This QR code has expired. Refresh the code on the kiosk and scan again."


def test_an_approval_after_expiry_is_refused(app, kiosk, resident_phone, clock):
    ticket = ask_for_ticket(kiosk)
    scan(resident_phone, ticket)
    clock.advance(seconds=119)
    assert approve(resident_phone, ticket).status_code == 200
    clock.advance(seconds=2)

    assert kiosk.post(path(ticket, "/complete")).get_json()["reason"] == "qr_expired"


def test_a_used_ticket_cannot_be_used_again(app, kiosk, resident_phone):
    ticket = ask_for_ticket(kiosk)
    scan(resident_phone, ticket)
    approve(resident_phone, ticket)
    assert kiosk.post(path(ticket, "/complete")).status_code == 200

    again = kiosk.post(path(ticket, "/complete"))
    rescan = scan(resident_phone, ticket)

    assert again.status_code == 409 and again.get_json()["reason"] == "qr_already_used"
    assert rescan.status_code == 409 and rescan.get_json()["reason"] == "qr_already_used"


def test_a_denied_ticket_tells_the_kiosk_and_signs_nobody_in(app, kiosk, resident_phone):
    ticket = ask_for_ticket(kiosk)
    scan(resident_phone, ticket)

    denied = resident_phone.post(path(ticket, "/deny"))
    completed = kiosk.post(path(ticket, "/complete"), headers={"Accept-Language": "en"})

    assert denied.get_json()["status"] == "denied"
    assert kiosk.get(path(ticket)).get_json()["status"] == "denied"
    assert completed.status_code == 409
    assert completed.get_json()["message"] == "This sign-in request was refused on the phone."
    assert kiosk.get("/api/v1/me").status_code == 401
    assert [e.name for e in qr_events()][-1] == "qr_ticket_denied"


def test_picking_the_wrong_number_refuses_the_login(app, kiosk, resident_phone):
    ticket = ask_for_ticket(kiosk)
    choices = scan(resident_phone, ticket).get_json()["choices"]

    response = approve(resident_phone, ticket, match=wrong_number(ticket, choices))

    assert response.status_code == 409
    assert response.get_json()["reason"] == "qr_mismatch"
    assert kiosk.get(path(ticket)).get_json()["status"] == "denied"
    assert approve(resident_phone, ticket).get_json()["reason"] == "qr_denied"


def test_a_ticket_copied_into_another_browser_is_refused_there(app, kiosk, resident_phone):
    ticket = ask_for_ticket(kiosk)
    thief = new_browser(app)
    scan(resident_phone, ticket)
    approve(resident_phone, ticket)

    peeked = thief.get(path(ticket), headers={"Accept-Language": "en"})
    streamed = thief.get(path(ticket, "/stream"))
    taken = thief.post(path(ticket, "/complete"))

    assert peeked.status_code == streamed.status_code == taken.status_code == 403
    assert taken.get_json()["reason"] == "qr_wrong_browser"
    assert peeked.get_json()["message"] == "This QR code belongs to another device and cannot be used here."
    assert thief.get("/api/v1/me").status_code == 401
    assert kiosk.post(path(ticket, "/complete")).status_code == 200  # the real kiosk still can


def test_a_ticket_scanned_by_one_person_cannot_be_approved_by_another(app, kiosk, resident_phone):
    ticket = ask_for_ticket(kiosk)
    scan(resident_phone, ticket)
    other_phone = new_browser(app)
    log_in(other_phone, "wangfang")

    assert scan(other_phone, ticket).get_json()["reason"] == "qr_not_yours"
    assert approve(other_phone, ticket).get_json()["reason"] == "qr_not_yours"


def test_the_kiosk_cannot_complete_before_the_phone_approves(app, kiosk, resident_phone):
    ticket = ask_for_ticket(kiosk)

    before_scan = kiosk.post(path(ticket, "/complete"))
    scan(resident_phone, ticket)
    before_approval = kiosk.post(path(ticket, "/complete"))

    assert before_scan.status_code == before_approval.status_code == 409
    assert before_approval.get_json()["reason"] == "qr_not_approved"


def test_approving_needs_a_signed_in_phone_and_never_a_kiosk_session(app, kiosk, resident_phone):
    first = ask_for_ticket(kiosk)
    scan(resident_phone, first)
    approve(resident_phone, first)
    kiosk.post(path(first, "/complete"))
    other_kiosk = new_browser(app)
    second = ask_for_ticket(other_kiosk)

    assert new_browser(app).post(path(second, "/scan")).status_code == 401
    refused = scan(kiosk, second)
    assert refused.status_code == 403


def test_a_kiosk_session_ends_after_3_idle_minutes(app, kiosk, resident_phone, clock):
    ticket = ask_for_ticket(kiosk)
    scan(resident_phone, ticket)
    approve(resident_phone, ticket)
    kiosk.post(path(ticket, "/complete"))

    clock.advance(minutes=2)
    assert kiosk.get("/api/v1/me").status_code == 200
    clock.advance(minutes=4)
    assert kiosk.get("/api/v1/me").status_code == 401
    assert resident_phone.get("/api/v1/me").status_code == 200


def test_ticket_creation_is_rate_limited_per_address(app, kiosk, clock):
    limit = app.config["RATE_LIMIT_QR_TICKETS_PER_MINUTE"]
    for _ in range(limit):
        ask_for_ticket(kiosk)

    refused = kiosk.post("/api/v1/auth/qr-tickets", json={})

    assert refused.status_code == 429
    assert refused.get_json()["reason"] == "qr_rate_limited"
    clock.advance(minutes=1)
    assert kiosk.post("/api/v1/auth/qr-tickets", json={}).status_code == 201


def test_asking_for_a_ticket_needs_the_csrf_header(app, kiosk):
    assert kiosk.post("/api/v1/auth/qr-tickets", json={}, csrf=False).status_code == 403
