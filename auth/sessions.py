"""Server-side sessions in Redis. The browser holds only an opaque, random id.

A session expires when idle (resident 30 min, staff and officer 15 min, kiosk
3 min) and at most 12 hours after it began. Tokens from the identity provider
stay here, never in the browser.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis as redis_lib

from auth.permissions import Principal

IDLE_SECONDS = {"resident": 30 * 60, "staff": 15 * 60, "officer": 15 * 60, "admin": 15 * 60, "kiosk": 3 * 60}
ABSOLUTE_SECONDS = 12 * 60 * 60
# A companion cookie readable by the PWA, "1" while the browser has a live session (no secret).
SIGNED_IN_HINT = "onething_signed_in"
# Read a session and, while it is live (the same rule as :func:`idle_limit` and ABSOLUTE_SECONDS),
# refresh its last_seen: one round trip per request instead of HGETALL then HSET.
# KEYS[1] the session; ARGV: now, IDLE_SECONDS as JSON, ABSOLUTE_SECONDS. Returns the hash as read.
GET_AND_TOUCH = """
local raw = redis.call('HGETALL', KEYS[1])
local h = {}
for i = 1, #raw, 2 do h[raw[i]] = raw[i + 1] end
if h['user_id'] == nil or h['last_seen'] == nil or h['created_at'] == nil then return raw end
local limits = cjson.decode(ARGV[2])
local idle
if h['kind'] == 'kiosk' then
  idle = limits['kiosk']
else
  local ok, roles = pcall(cjson.decode, h['roles'] or '[]')
  if not ok or type(roles) ~= 'table' or #roles == 0 then roles = {'resident'} end
  for _, role in ipairs(roles) do
    local limit = limits[role] or limits['resident']
    if idle == nil or limit < idle then idle = limit end
  end
end
local now = tonumber(ARGV[1])
if now - tonumber(h['last_seen']) <= idle and now - tonumber(h['created_at']) <= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'last_seen', ARGV[1])
end
return raw
"""
IDLE_JSON = json.dumps(IDLE_SECONDS)


def idle_limit(roles: frozenset[str] | list[str], kind: str) -> int:
    """The strictest idle limit among the session's kind and roles."""
    if kind == "kiosk":
        return IDLE_SECONDS["kiosk"]
    return min(IDLE_SECONDS.get(role, IDLE_SECONDS["resident"]) for role in (roles or ["resident"]))


@dataclass
class SessionRecord:
    id: str
    user_id: int
    roles: list[str]
    department: str | None
    kind: str
    created_at: float
    last_seen: float
    device: str
    place: str
    tokens: dict[str, Any]
    # Started by a QR login: the person approved it on a phone they hold, but the browser that
    # took the session may be a relaying attacker's, so the session has a reduced scope.
    via_qr: bool = False
    # The person this session acts for under a mandate (委托代办), chosen by the agent; the BFF
    # checks the mandate on every request and clears this when it has ended.
    acting_as: int | None = None

    def principal(self) -> Principal:
        return Principal(user_id=self.user_id, session_id=self.id, roles=frozenset(self.roles),
                         department=self.department, kind=self.kind, via_qr=self.via_qr)

    @property
    def handle(self) -> str:
        """A public name for the session ("my sessions"); the id itself is a secret."""
        return session_handle(self.id)

    def public_view(self) -> dict[str, Any]:
        return {"id": self.handle, "device": self.device, "place": self.place, "kind": self.kind,
                "created_at": self.created_at, "last_seen": self.last_seen,
                "idle_expires_at": self.last_seen + idle_limit(self.roles, self.kind),
                "expires_at": self.created_at + ABSOLUTE_SECONDS}


def session_handle(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()[:16]


class SessionStore:
    """Sessions as Redis hashes, plus a per-user index for "my sessions"."""

    def __init__(self, client: redis_lib.Redis, clock: Callable[[], float] = time.time) -> None:
        self.redis = client
        self.clock = clock
        self._get_and_touch = client.register_script(GET_AND_TOUCH)

    @staticmethod
    def _key(sid: str) -> str:
        return f"sess:{sid}"

    @staticmethod
    def _index(user_id: int) -> str:
        return f"user-sessions:{user_id}"

    def create(self, user_id: int, roles: list[str], department: str | None, *, kind: str = "browser",
               device: str = "", place: str = "", tokens: dict[str, Any] | None = None,
               via_qr: bool = False) -> SessionRecord:
        now = self.clock()
        record = SessionRecord(id=secrets.token_urlsafe(32), user_id=user_id, roles=list(roles),
                               department=department, kind=kind, created_at=now, last_seen=now,
                               device=device[:200], place=place[:100], tokens=tokens or {}, via_qr=via_qr)
        self._save(record)
        self.redis.sadd(self._index(user_id), record.id)
        self.redis.expire(self._index(user_id), ABSOLUTE_SECONDS)
        return record

    def _save(self, record: SessionRecord) -> None:
        key = self._key(record.id)
        self.redis.hset(key, mapping={
            "user_id": record.user_id, "roles": json.dumps(record.roles),
            "department": record.department or "", "kind": record.kind,
            "created_at": record.created_at, "last_seen": record.last_seen,
            "device": record.device, "place": record.place, "tokens": json.dumps(record.tokens),
            "via_qr": "1" if record.via_qr else "",
        })
        self.redis.expire(key, ABSOLUTE_SECONDS)

    def get(self, sid: str | None, *, touch: bool = True) -> SessionRecord | None:
        """The live session with this id, or None (expired ones are removed)."""
        if not sid or len(sid) > 100:
            return None
        now = self.clock()
        if touch:  # read and refresh in one round trip (refreshed only if live, checked again below)
            flat = self._get_and_touch(keys=[self._key(sid)], args=[now, IDLE_JSON, ABSOLUTE_SECONDS])
            raw: dict[str, str] = dict(zip(flat[::2], flat[1::2], strict=True))  # type: ignore[index]
        else:
            raw = self.redis.hgetall(self._key(sid))  # type: ignore[assignment]
        if "user_id" not in raw:
            return None
        record = SessionRecord(
            id=sid, user_id=int(raw["user_id"]), roles=json.loads(raw["roles"]),
            department=raw["department"] or None, kind=raw["kind"],
            created_at=float(raw["created_at"]), last_seen=float(raw["last_seen"]),
            device=raw["device"], place=raw["place"], tokens=json.loads(raw["tokens"]),
            via_qr=raw.get("via_qr") == "1", acting_as=int(raw["acting_as"]) if raw.get("acting_as") else None)
        idle = idle_limit(record.roles, record.kind)
        if now - record.last_seen > idle or now - record.created_at > ABSOLUTE_SECONDS:
            self.revoke(record.user_id, sid)
            return None
        if touch:
            record.last_seen = now  # refreshed by the script (never re-creates a revoked session)
        return record

    def set_acting_as(self, sid: str, user_id: int | None) -> None:
        """Act for ``user_id`` in this session from the next request (None: act as oneself again).

        Written only while the session exists, so a revoked session is never re-created."""
        key = self._key(sid)
        if user_id is None:
            self.redis.hdel(key, "acting_as")
        elif self.redis.exists(key):
            self.redis.hset(key, "acting_as", str(user_id))

    def _members(self, user_id: int) -> list[str]:
        return [str(sid) for sid in self.redis.smembers(self._index(user_id))]  # type: ignore[union-attr]

    def list_for_user(self, user_id: int) -> list[SessionRecord]:
        records = []
        for sid in sorted(self._members(user_id)):
            record = self.get(sid, touch=False)
            if record is not None:
                records.append(record)
            else:
                self.redis.srem(self._index(user_id), sid)
        return sorted(records, key=lambda r: r.last_seen, reverse=True)

    def revoke(self, user_id: int, sid: str) -> bool:
        """End one session of ``user_id``; a session of someone else is not touched."""
        if not self.redis.sismember(self._index(user_id), sid):
            return False
        self.redis.delete(self._key(sid))
        self.redis.srem(self._index(user_id), sid)
        return True

    def revoke_by_handle(self, user_id: int, handle: str) -> str | None:
        """End the session of ``user_id`` whose public handle is ``handle``; returns its id, if any."""
        for sid in self._members(user_id):
            if secrets.compare_digest(session_handle(sid), handle) and self.revoke(user_id, sid):
                return sid
        return None

    def revoke_all(self, user_id: int, *, except_sid: str | None = None) -> int:
        count = 0
        for sid in self._members(user_id):
            if sid != except_sid and self.revoke(user_id, sid):
                count += 1
        return count
