"""QR login: a kiosk or desktop is signed in by the resident's phone.

Kiosk: ``POST /api/v1/auth/qr-tickets`` → shows ``qr.svg`` and the two digits →
waits on ``…/{id}/stream`` (SSE) or polls ``GET …/{id}`` → ``POST …/{id}/complete``.
Phone (signed in): opens ``/app/qr/{id}`` → ``POST …/{id}/scan`` (sees who asks,
time and three numbers) → ``POST …/{id}/approve`` with the number, or ``…/deny``.

Who asks: an enrolled kiosk (it sends its ``kiosk_credential``; the place comes from
its enrolment) or an unregistered "desktop" browser, shown with its browser, its
network and whether that is the phone's network. The request cannot name a place:
a ``place`` field is refused (422), so a relaying page cannot pose as a hall kiosk.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Response, after_this_request, current_app, g, request, stream_with_context
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from auth.permissions import access
from auth.qr import BINDING_COOKIE, TICKET_SECONDS, QrError, QrTickets, Ticket, network_of
from auth.sessions import IDLE_SECONDS
from bff.api.auth import cookie_name, session_cookie_name, sessions, set_cookie, set_session_cookie
from bff.api.identity_errors import abort_qr
from bff.api.schemas import BINARY, PNG, SSE, SVG
from bff.core.devices import describe_user_agent
from bff.extensions import db
from bff.services import identity

blp = Blueprint("qr_login", __name__, url_prefix="/api/v1/auth/qr-tickets", description="QR login for kiosks and desktops")

TICKET_ID = "<string(length=32):ticket_id>"


def tickets() -> QrTickets:
    return current_app.extensions["qr_tickets"]  # type: ignore[no-any-return]


def binding() -> str | None:
    return request.cookies.get(cookie_name(BINDING_COOKIE))


def iso(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


class TicketRequestSchema(Schema):
    # No ``place``: unknown fields are refused (422), so a caller cannot name where it stands.
    class Meta:
        unknown = RAISE

    kiosk_credential = fields.Str(load_default=None, validate=validate.Length(min=20, max=100), metadata={
        "description": "An enrolled kiosk's device credential; without it the ticket is a desktop ticket"})


class KioskTicketSchema(Schema):
    id = fields.Str()
    status = fields.Str(metadata={"description": "pending, scanned, approved, denied or consumed"})
    match_code = fields.Str(metadata={"description": "The two digits the kiosk shows for number matching"})
    expires_at = fields.DateTime()
    qr_url = fields.Str(metadata={"description": "What the QR encodes"})
    svg_url = fields.Str()
    png_url = fields.Str()
    stream_url = fields.Str()


class PhoneTicketSchema(Schema):
    status = fields.Str()
    kind = fields.Str(metadata={"description": "kiosk (an enrolled kiosk) or desktop (an unregistered device)"})
    device = fields.Str(metadata={"description": "The requesting browser, in short (e.g. Chrome on Windows)"})
    place = fields.Str(metadata={"description": "The enrolled kiosk's hall and name; empty for a desktop ticket"})
    network = fields.Str(metadata={"description": "The requester's network, masked (e.g. 203.0.113.0/24)"})
    same_network = fields.Bool(metadata={"description": "Whether this phone is on the requester's network"})
    requested_at = fields.DateTime()
    expires_at = fields.DateTime()
    choices = fields.List(fields.Str(), metadata={"description": "Pick the number the kiosk shows"})


class ApproveSchema(Schema):
    match = fields.Str(required=True, validate=validate.Regexp(r"^\d{2}$"))


class SignedInSchema(Schema):
    status = fields.Str()
    kind = fields.Str()
    expires_in = fields.Int(metadata={"description": "Seconds of inactivity before the kiosk session ends"})


def kiosk_view(ticket: Ticket) -> dict[str, Any]:
    base = f"/api/v1/auth/qr-tickets/{ticket.id}"
    return {"id": ticket.id, "status": ticket.status, "match_code": ticket.match_code,
            "expires_at": iso(ticket.expires_at), "qr_url": tickets().url(ticket.id),
            "svg_url": f"{base}/qr.svg", "png_url": f"{base}/qr.png", "stream_url": f"{base}/stream"}


def phone_view(ticket: Ticket) -> dict[str, Any]:
    # Compared at the network level: a phone and a browser on the same hall or home network
    # share it; a relaying attacker elsewhere does not.
    here = network_of(request.remote_addr)
    return {"status": ticket.status, "kind": ticket.kind, "device": ticket.device,
            "place": ticket.place if ticket.kind == "kiosk" else "", "network": ticket.network,
            "same_network": bool(here) and here == ticket.network,
            "requested_at": iso(ticket.created_at), "expires_at": iso(ticket.expires_at), "choices": ticket.choices}


def own_ticket(ticket_id: str) -> Ticket:
    """The ticket, for the browser that asked for it only."""
    try:
        return tickets().get(ticket_id, binding=binding() or "-")
    except QrError as error:
        abort_qr(error)


# -- the kiosk -----------------------------------------------------------------------------

@blp.route("", methods=["POST"])
@blp.arguments(TicketRequestSchema)
@blp.response(201, KioskTicketSchema)
@access("public")
def create_ticket(args: dict[str, Any]) -> dict[str, Any]:
    """Ask for a QR login ticket (rate-limited per IP); sets the HttpOnly cookie that binds it here.

    An enrolled kiosk sends its credential and gets a ticket naming its hall; any other browser
    gets a desktop ticket. A credential that is not (or no longer) enrolled is refused (403).
    """
    try:
        ticket, secret = identity.create_qr_ticket(db.session, tickets(), ip=request.remote_addr or "-",
                                                   device=describe_user_agent(request.headers.get("User-Agent")),
                                                   kiosk_credential=args["kiosk_credential"])
    except QrError as error:
        abort_qr(error)

    @after_this_request
    def bind(response: Response) -> Response:
        set_cookie(response, BINDING_COOKIE, secret, max_age=TICKET_SECONDS, same_site="Strict")
        return response

    return kiosk_view(ticket)


@blp.route(f"/{TICKET_ID}")
@blp.response(200, KioskTicketSchema)
@access("public")
def get_ticket(ticket_id: str) -> dict[str, Any]:
    """The ticket's status, for the kiosk that asked for it (the polling fallback of the stream)."""
    return kiosk_view(own_ticket(ticket_id))


@blp.route(f"/{TICKET_ID}/stream")
@blp.response(200, BINARY, content_type=SSE,
              description="`status` events; the stream ends when the ticket settles")
@access("public")
def stream_ticket(ticket_id: str) -> Response:
    """Server-sent events: one ``status`` event per change, for at most the ticket's lifetime."""
    own_ticket(ticket_id)
    secret = binding()

    def events() -> Iterator[str]:
        yield "retry: 2000\n\n"
        for change in tickets().watch(ticket_id, secret):
            yield f"event: status\ndata: {json.dumps(change)}\n\n" if change else ": keep-alive\n\n"

    response = Response(stream_with_context(events()), mimetype="text/event-stream")
    response.headers["X-Accel-Buffering"] = "no"
    return response


@blp.route(f"/{TICKET_ID}/qr.svg")
@blp.response(200, BINARY, content_type=SVG, description="The QR code as SVG")
@access("public")
def ticket_svg(ticket_id: str) -> Response:
    ticket = own_ticket(ticket_id)
    return Response(tickets().svg(ticket.id), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@blp.route(f"/{TICKET_ID}/qr.png")
@blp.response(200, BINARY, content_type=PNG, description="The QR code as PNG")
@access("public")
def ticket_png(ticket_id: str) -> Response:
    ticket = own_ticket(ticket_id)
    return Response(tickets().png(ticket.id), mimetype="image/png", headers={"Cache-Control": "no-store"})


@blp.route(f"/{TICKET_ID}/complete", methods=["POST"])
@blp.response(200, SignedInSchema)
@access("public")
def complete(ticket_id: str) -> dict[str, Any]:
    """The kiosk takes its own fresh session once the phone approved (once only)."""
    try:
        _, record = identity.complete_qr_login(db.session, tickets(), sessions(), ticket_id, binding(),
                                               previous_sid=request.cookies.get(session_cookie_name()))
    except QrError as error:
        abort_qr(error)

    @after_this_request
    def sign_in(response: Response) -> Response:
        set_session_cookie(response, record.id)
        response.delete_cookie(cookie_name(BINDING_COOKIE), path="/")
        return response

    return {"status": "signed_in", "kind": record.kind, "expires_in": IDLE_SECONDS["kiosk"]}


# -- the phone -------------------------------------------------------------------------------

@blp.route(f"/{TICKET_ID}/scan", methods=["POST"])
@blp.response(200, PhoneTicketSchema)
@access("authenticated")
def scan(ticket_id: str) -> dict[str, Any]:
    """The signed-in phone opened the QR: show who asks (device, place, time) and three numbers."""
    try:
        return phone_view(identity.scan_qr_ticket(db.session, tickets(), ticket_id, g.principal))
    except QrError as error:
        abort_qr(error)


@blp.route(f"/{TICKET_ID}/approve", methods=["POST"])
@blp.arguments(ApproveSchema)
@blp.response(200, PhoneTicketSchema)
@access("authenticated")
def approve(args: dict[str, str], ticket_id: str) -> dict[str, Any]:
    """Approve with the number the kiosk shows; a wrong number refuses the login."""
    try:
        return phone_view(identity.approve_qr_ticket(db.session, tickets(), ticket_id, g.principal, args["match"]))
    except QrError as error:
        abort_qr(error)


@blp.route(f"/{TICKET_ID}/deny", methods=["POST"])
@blp.response(200, PhoneTicketSchema)
@access("authenticated")
def deny(ticket_id: str) -> dict[str, Any]:
    """Refuse the kiosk's request."""
    try:
        return phone_view(identity.deny_qr_ticket(db.session, tickets(), ticket_id, g.principal))
    except QrError as error:
        abort_qr(error)
