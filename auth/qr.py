"""QR login: a kiosk or desktop browser is logged in by the resident's signed-in phone.

A ticket lives in Redis for at most 120 seconds under a random 192-bit id. The
browser that asked for it holds a secret in an HttpOnly cookie; the ticket keeps
only the secret's SHA-256, so the ticket id alone (what the QR shows) cannot be
used from another browser. The QR encodes only ``{PUBLIC_URL}/app/qr/{id}``.

States: ``pending → scanned → approved | denied``, then ``approved → consumed``
when the kiosk takes its session. Every transition runs in one Lua script, so
two phones, two clicks or two kiosks racing cannot both win. Number matching:
the kiosk shows two digits, the phone offers three numbers and the resident
picks the one on the kiosk; a wrong pick denies the ticket.

Number matching alone does not stop a relay: an attacker's page can show the
kiosk's digits next to the relayed QR. So a ticket says who asked. A ``kiosk``
ticket was asked for by an enrolled kiosk and carries the place of its
enrolment; any other is a ``desktop`` ticket, and the phone is shown the
requesting browser and its network (``network``, the requester's address
masked to /24 or /48, never the full address) so it can warn when the phone is
elsewhere. A place is never taken from the request.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import struct
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.image.svg
import redis as redis_lib

from auth.ratelimit import FixedWindow

TICKET_SECONDS = 120
QUIET_ZONE = 4  # modules, as ISO/IEC 18004 requires
BINDING_COOKIE = "onething_qr"
TERMINAL = ("approved", "denied", "consumed")
KINDS = ("kiosk", "desktop")

# KEYS[1] ticket; ARGV: allowed from-states (comma list), to-state, now, user id ('' = none),
# binding hash ('' = not checked), match code ('' = not checked).
TRANSITION = """
local raw = redis.call('HGETALL', KEYS[1])
if #raw == 0 then return {'missing', ''} end
local t = {}
for i = 1, #raw, 2 do t[raw[i]] = raw[i + 1] end
if t.status == 'consumed' then return {'wrong_state', 'consumed'} end
if tonumber(t.expires_at) <= tonumber(ARGV[3]) then return {'expired', t.status} end
if ARGV[5] ~= '' and t.binding ~= ARGV[5] then return {'wrong_browser', t.status} end
if ARGV[4] ~= '' and t.user_id ~= '' and t.user_id ~= ARGV[4] then return {'not_yours', t.status} end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do if s == t.status then allowed = true end end
if not allowed then return {'wrong_state', t.status} end
local to = ARGV[2]
local outcome = 'ok'
if ARGV[6] ~= '' and ARGV[6] ~= t.match then to = 'denied'; outcome = 'mismatch' end
redis.call('HSET', KEYS[1], 'status', to)
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'user_id', ARGV[4]) end
redis.call('PUBLISH', KEYS[1], to)
return {outcome, to}
"""


class QrError(Exception):
    """A ticket operation was refused. ``reason`` is stable for clients:

    ``expired`` (unknown or past its time), ``wrong_browser`` (the ticket belongs to another
    browser), ``not_yours`` (another person scanned it), ``already_used``, ``denied``,
    ``mismatch`` (wrong number picked: the ticket is now denied), ``not_scanned``,
    ``not_approved`` (still waiting for the phone), ``rate_limited``.
    """

    def __init__(self, reason: str, ticket: Ticket | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ticket = ticket


@dataclass(frozen=True)
class Ticket:
    id: str
    status: str
    device: str
    place: str
    kind: str  # kiosk (an enrolled kiosk asked; place from its enrolment) | desktop (anyone else)
    network: str  # the requester's network (masked address), "" if unknown
    created_at: float
    expires_at: float
    match_code: str
    choices: list[str]
    user_id: int | None

    @property
    def reference(self) -> str:
        """A short name for events and logs that does not reveal the ticket id."""
        return hashlib.sha256(self.id.encode()).hexdigest()[:12]


def network_of(address: str | None) -> str:
    """The network an address belongs to (IPv4 /24, IPv6 /48), "" if it is not an address.

    Coarse on purpose: enough to tell "the same hall or home network" from "somewhere else"
    without keeping a person's exact address in a ticket.
    """
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def binding_hash(secret: str | None) -> str:
    return hashlib.sha256((secret or "").encode()).hexdigest()


class QrTickets:
    """QR login tickets in Redis (see the module docstring)."""

    def __init__(self, client: redis_lib.Redis, *, public_url: str, per_minute: int,
                 clock: Callable[[], float] = time.time) -> None:
        self.redis = client
        self.public_url = public_url.rstrip("/")
        self.per_minute = per_minute
        self.clock = clock
        self.rate = FixedWindow(client, "qr-rate", limit=per_minute, clock=self._now)
        self._transition = client.register_script(TRANSITION)

    def _now(self) -> float:
        # Read at each hit, so that a clock set on the store after it was made counts too.
        return self.clock()

    @staticmethod
    def _key(ticket_id: str) -> str:
        return f"qr:{ticket_id}"

    def create(self, *, ip: str, device: str, kind: str = "desktop", place: str = "") -> tuple[Ticket, str]:
        """A new pending ticket and the binding secret for the asking browser's cookie.

        ``place`` is kept for a ``kiosk`` ticket only (the caller took it from the kiosk's
        enrolment); a ``desktop`` ticket never has one.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown ticket kind {kind!r}")
        place = place if kind == "kiosk" else ""
        self._check_rate(ip)
        rng = secrets.SystemRandom()
        choices = [str(n) for n in rng.sample(range(10, 100), 3)]
        now = self.clock()
        ticket = Ticket(id=secrets.token_urlsafe(24), status="pending", device=device[:80], place=place[:80],
                        kind=kind, network=network_of(ip), created_at=now, expires_at=now + TICKET_SECONDS,
                        match_code=choices[0],
                        choices=sorted(choices), user_id=None)
        secret = secrets.token_urlsafe(32)
        key = self._key(ticket.id)
        self.redis.hset(key, mapping={
            "status": ticket.status, "device": ticket.device, "place": ticket.place,
            "kind": ticket.kind, "network": ticket.network,
            "created_at": now, "expires_at": ticket.expires_at, "match": ticket.match_code,
            "choices": ",".join(ticket.choices), "user_id": "", "binding": binding_hash(secret)})
        # Kept a little past expiry so a late scan says "expired" rather than "unknown".
        self.redis.expire(key, TICKET_SECONDS + 60)
        return ticket, secret

    def _check_rate(self, ip: str) -> None:
        if self.rate.hit(ip) is not None:
            raise QrError("rate_limited")

    def get(self, ticket_id: str, *, binding: str | None = None) -> Ticket:
        """The ticket (for the kiosk, its own only: ``binding`` is the cookie's secret)."""
        raw: dict[str, str] = self.redis.hgetall(self._key(ticket_id)) if 0 < len(ticket_id) <= 64 else {}  # type: ignore[assignment]
        if not raw:
            raise QrError("expired")
        ticket = _ticket(ticket_id, raw)
        if binding is not None and not secrets.compare_digest(raw["binding"], binding_hash(binding)):
            raise QrError("wrong_browser", ticket)
        if ticket.status != "consumed" and ticket.expires_at <= self.clock():
            raise QrError("expired", ticket)
        return ticket

    def _move(self, ticket_id: str, allowed: str, to: str, *, user_id: int | None = None,
              binding: str | None = None, match: str | None = None) -> Ticket:
        if not 0 < len(ticket_id) <= 64:
            raise QrError("expired")
        args: list[str | float] = [allowed, to, self.clock(), "" if user_id is None else str(user_id),
                "" if binding is None else binding_hash(binding), match or ""]
        outcome, status = self._transition(keys=[self._key(ticket_id)], args=args)
        if outcome == "ok":
            return self.get(ticket_id)
        raise QrError(_reason(outcome, status, to))

    def scan(self, ticket_id: str, user_id: int) -> Ticket:
        """The phone opened the ticket: pending → scanned, bound to this person (repeatable by them)."""
        return self._move(ticket_id, "pending,scanned", "scanned", user_id=user_id)

    def approve(self, ticket_id: str, user_id: int, match: str) -> Ticket:
        """scanned → approved if ``match`` is the kiosk's number, else the ticket is denied."""
        return self._move(ticket_id, "scanned", "approved", user_id=user_id, match=match or "?")

    def deny(self, ticket_id: str, user_id: int) -> Ticket:
        return self._move(ticket_id, "scanned", "denied", user_id=user_id)

    def consume(self, ticket_id: str, binding: str | None) -> Ticket:
        """approved → consumed, by the browser that holds the ticket's cookie only; single use."""
        return self._move(ticket_id, "approved", "consumed", binding=binding or "-")

    # -- the kiosk waiting for the outcome ------------------------------------------------------

    def watch(self, ticket_id: str, binding: str | None, *, max_seconds: float = TICKET_SECONDS,
              heartbeat: float = 15.0) -> Iterator[dict[str, Any]]:
        """Yield ``{"status": …}`` each time the ticket changes, until it settles or expires.

        Listens on the ticket's pub/sub channel, re-reading the ticket each time (the
        message is only a hint) and at least every ``heartbeat`` seconds; yields
        ``{}`` on a quiet heartbeat so a stream can send a keep-alive comment.
        """
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self._key(ticket_id))
        deadline = time.monotonic() + max_seconds
        last = None
        try:
            while True:
                status = self._status_for_watch(ticket_id, binding)
                if status != last:
                    last = status
                    yield {"status": status}
                if status in (*TERMINAL, "expired") or time.monotonic() >= deadline:
                    return
                if pubsub.get_message(timeout=min(heartbeat, max(deadline - time.monotonic(), 0.01))) is None:
                    yield {}
        finally:
            pubsub.close()

    def _status_for_watch(self, ticket_id: str, binding: str | None) -> str:
        try:
            return self.get(ticket_id, binding=binding).status
        except QrError as error:
            return "expired" if error.reason == "expired" else error.reason

    # -- the QR image ----------------------------------------------------------------------------

    def url(self, ticket_id: str) -> str:
        return f"{self.public_url}/app/qr/{ticket_id}"

    def svg(self, ticket_id: str) -> str:
        code = qr_code(self.url(ticket_id))
        image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
        return image.to_string(encoding="unicode")  # type: ignore[no-any-return]

    def png(self, ticket_id: str, scale: int = 8) -> bytes:
        return matrix_png(qr_code(self.url(ticket_id)).get_matrix(), scale)


def qr_code(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE, box_size=10)
    code.add_data(data)
    code.make(fit=True)
    return code


def matrix_png(matrix: list[list[bool]], scale: int) -> bytes:
    """A greyscale PNG of a QR matrix (which already includes its quiet zone)."""
    rows = []
    for row in matrix:
        line = bytes(0 if dark else 255 for dark in row for _ in range(scale))
        rows.extend([b"\x00" + line] * scale)
    size = len(matrix) * scale

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


def _ticket(ticket_id: str, raw: dict[str, str]) -> Ticket:
    return Ticket(id=ticket_id, status=raw["status"], device=raw["device"], place=raw["place"],
                  kind=raw.get("kind", "desktop"), network=raw.get("network", ""),
                  created_at=float(raw["created_at"]), expires_at=float(raw["expires_at"]),
                  match_code=raw["match"], choices=raw["choices"].split(","),
                  user_id=int(raw["user_id"]) if raw.get("user_id") else None)


def _reason(outcome: str, status: str, to: str) -> str:
    if outcome in ("missing", "expired"):
        return "expired"
    if outcome != "wrong_state":
        return outcome  # wrong_browser, not_yours, mismatch
    if status in ("consumed", "approved"):
        return "already_used"
    if status == "denied":
        return "denied"
    if status == "pending":
        return "not_scanned"
    return "not_approved" if to == "consumed" else "already_used"
