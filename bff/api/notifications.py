"""Notifications: push subscriptions, the inbox, preferences, and live events (SSE + polling)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from auth.permissions import access
from bff.api.acting import as_self
from bff.api.schemas import BINARY, MAX_ID, SSE, id_arg
from bff.core import notifications as rules
from bff.core.text import Text
from bff.extensions import db
from bff.i18n import t
from bff.services import identity
from bff.services.notifications import devices, inbox, live, preferences

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="Push, inbox and live events")


class PushKeysSchema(Schema):
    p256dh = fields.Str(required=True, validate=validate.Length(max=200))
    auth = fields.Str(required=True, validate=validate.Length(max=100))


class PushSubscribeSchema(Schema):
    endpoint = fields.Str(required=True, validate=validate.Length(max=2000))
    keys = fields.Nested(PushKeysSchema, required=True)
    device = fields.Str(load_default="", validate=validate.Length(max=100),
                        metadata={"description": "A label the person will recognise, e.g. 'Pixel 7'"})
    expirationTime = fields.Int(allow_none=True, load_default=None)  # noqa: N815 - PushSubscription.toJSON()


class PushDeviceSchema(Schema):
    id = fields.Int()
    device = fields.Str()
    created_at = fields.DateTime()
    last_success_at = fields.DateTime(allow_none=True)


class PushDevicesSchema(Schema):
    devices = fields.List(fields.Nested(PushDeviceSchema))


class PublicKeySchema(Schema):
    public_key = fields.Str(metadata={"description": "applicationServerKey (base64url) for pushManager.subscribe"})


class NotificationSchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    title = fields.Str()
    application_number = fields.Str(allow_none=True)
    link = fields.Str()
    urgency = fields.Str()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class InboxQuerySchema(Schema):
    before = id_arg(load_default=None, metadata={"description": "Page back: the last id seen"})
    limit = fields.Int(load_default=20, validate=validate.Range(1, 100))


class InboxSchema(Schema):
    notifications = fields.List(fields.Nested(NotificationSchema))
    unread = fields.Int()


class UnreadCountSchema(Schema):
    unread = fields.Int()


class QuietHoursSchema(Schema):
    start = fields.Str(required=True, metadata={"description": "HH:MM, China time"})
    end = fields.Str(required=True, metadata={"description": "HH:MM, China time"})


class NotificationPreferencesSchema(Schema):
    kinds = fields.List(fields.Str(validate=validate.OneOf(list(rules.KINDS))), required=True)
    channels = fields.List(fields.Str(validate=validate.OneOf(rules.CHANNELS)), required=True)
    quiet_hours = fields.Nested(QuietHoursSchema, allow_none=True, load_default=None)


class NotificationPreferencesViewSchema(NotificationPreferencesSchema):
    available_kinds = fields.List(fields.Dict(), dump_only=True)


class LiveEventsQuerySchema(Schema):
    after = id_arg(minimum=0, load_default=0)
    limit = fields.Int(load_default=100, validate=validate.Range(1, 500))


class StreamQuerySchema(Schema):
    last_event_id = fields.Str(load_default=None, metadata={
        "description": "Where to resume, for clients that cannot send the Last-Event-ID header"})


class LiveEventSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    occurred_at = fields.Str()
    application_id = fields.Int(allow_none=True)
    data = fields.Dict()


class LiveEventsSchema(Schema):
    events = fields.List(fields.Nested(LiveEventSchema))
    last_id = fields.Int()


def notification_view(row: Any) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "title": t(Text(row.title_zh, row.title_en)),
            "application_number": row.application_number, "link": row.link, "urgency": row.urgency,
            "created_at": row.created_at, "read_at": row.read_at}


def device_view(row: Any) -> dict[str, Any]:
    return {"id": row.id, "device": row.device, "created_at": row.created_at,
            "last_success_at": row.last_success_at}


# --- Push -------------------------------------------------------------------------------------

@blp.route("/push/public-key")
@blp.response(200, PublicKeySchema)
@access("public")
def get_public_key() -> dict[str, str]:
    """The VAPID public key the PWA subscribes with (re-subscribe when it changes)."""
    return {"public_key": devices.push_public_key(current_app)}


@blp.route("/push/subscriptions", methods=["POST"])
@blp.arguments(PushSubscribeSchema)
@blp.response(201, PushDeviceSchema)
@access("authenticated")
@as_self  # the person's own inbox and devices, also while acting
def subscribe(body: dict[str, Any]) -> dict[str, Any]:
    """Save this browser's push subscription (``PushSubscription.toJSON()`` plus a device label)."""
    row = devices.subscribe_device(db.session, g.principal.user_id, body, body["device"],
                                   allow_http=current_app.config["ENV"] != "production",
                                   extra_hosts=devices.push_extra_hosts(current_app))
    return device_view(row)


@blp.route("/push/subscriptions")
@blp.response(200, PushDevicesSchema)
@access("authenticated")
@as_self  # the person's own inbox and devices, also while acting
def list_subscriptions() -> dict[str, Any]:
    """My devices that receive pushes."""
    return {"devices": [device_view(row) for row in devices.list_devices(db.session, g.principal.user_id)]}


@blp.route("/push/subscriptions/<int:device_id>", methods=["DELETE"])
@blp.response(204)
@access("authenticated")
@as_self  # the person's own inbox and devices, also while acting
def unsubscribe(device_id: int) -> None:
    """Stop pushes to one of my devices (another person's device is "not found")."""
    devices.remove_device(db.session, g.principal.user_id, device_id)


# --- Inbox ------------------------------------------------------------------------------------

@blp.route("/inbox")
@blp.arguments(InboxQuerySchema, location="query")
@blp.response(200, InboxSchema)
@access("authenticated")
@as_self  # the person's own inbox and devices, also while acting
def list_inbox(query: dict[str, Any]) -> dict[str, Any]:
    """My notifications, newest first, with the unread count."""
    user_id = g.principal.user_id
    rows = inbox.list_inbox(db.session, user_id, before=query["before"], limit=query["limit"])
    return {"notifications": [notification_view(row) for row in rows],
            "unread": inbox.unread_count(db.session, user_id)}


@blp.route("/inbox/unread-count")
@blp.response(200, UnreadCountSchema)
@access("authenticated")
@as_self  # the person's own inbox and devices, also while acting
def get_unread_count() -> dict[str, int]:
    """How many of my notifications are unread (the badge)."""
    return {"unread": inbox.unread_count(db.session, g.principal.user_id)}


@blp.route("/inbox/<int:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationSchema)
@access("authenticated")
@as_self  # the person's own inbox and devices, also while acting
def mark_read(notification_id: int) -> dict[str, Any]:
    """Mark one notification read."""
    return notification_view(inbox.mark_read(db.session, g.principal.user_id, notification_id))


@blp.route("/inbox/read-all", methods=["POST"])
@blp.response(200, UnreadCountSchema)
@access("authenticated")
@as_self  # the person's own inbox and devices, also while acting
def mark_all_read() -> dict[str, int]:
    """Mark all my notifications read."""
    inbox.mark_all_read(db.session, g.principal.user_id)
    return {"unread": 0}


# --- Preferences ------------------------------------------------------------------------------

def preferences_view(prefs: dict[str, Any]) -> dict[str, Any]:
    kinds = [{"kind": name, "title": t(rules.title_of(name, {})), "urgency": kind.urgency,
              "can_turn_off": name != "new_sign_in"}
             for name, kind in ((name, rules.KINDS[name]) for name in rules.OFFERED_KINDS)]
    return {**prefs, "available_kinds": kinds}


@blp.route("/notifications/preferences")
@blp.response(200, NotificationPreferencesViewSchema)
@access("authenticated")
@as_self  # the person's own inbox and devices, also while acting
def get_preferences() -> dict[str, Any]:
    """Which kinds I want, on which channels, and my quiet hours (high urgency ignores them)."""
    return preferences_view(preferences.get_preferences(db.session, g.principal.user_id))


@blp.route("/notifications/preferences", methods=["PUT"])
@blp.arguments(NotificationPreferencesSchema)
@blp.response(200, NotificationPreferencesViewSchema)
@access("authenticated")
@as_self  # the person's own inbox and devices, also while acting
def put_preferences(body: dict[str, Any]) -> dict[str, Any]:
    """Replace my notification preferences (the channels that reach me: not from a QR-login session)."""
    identity.refuse_qr_session(g.principal, identity.SCOPE_CONTACT)
    return preferences_view(preferences.save_preferences(db.session, g.principal.user_id, body["kinds"],
                                                         body["channels"], body["quiet_hours"]))


# --- Live events ------------------------------------------------------------------------------

@blp.route("/events")
@blp.arguments(LiveEventsQuerySchema, location="query")
@blp.response(200, LiveEventsSchema)
@access("authenticated")
@as_self  # the person's own inbox and devices, also while acting
def poll_events(query: dict[str, Any]) -> dict[str, Any]:
    """The polling fallback of the stream: my events with id > ``after``, oldest first."""
    rows = live.events_after(db.session, g.principal.user_id, query["after"], query["limit"])
    return {"events": [live.event_view(row) for row in rows],
            "last_id": rows[-1].id if rows else query["after"]}


@blp.route("/events/stream")
@blp.arguments(StreamQuerySchema, location="query")
@blp.response(200, BINARY, content_type=SSE, description="`event` messages, each with its id")
@access("authenticated")
def stream_events(_query: dict[str, Any]) -> Response:
    """Server-Sent Events of my events; reconnect with ``Last-Event-ID`` (or ``?last_event_id=``)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    user_id = g.principal.user_id
    body = live.stream_events(fanout_for(app), user_id, last_event_id_of(request.headers, request.args),
                              events_after=lambda after: _events_after(app, user_id, after),
                              latest_id=lambda: _latest_id(app, user_id), settings=stream_settings(app))
    return Response(body, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def last_event_id_of(headers: Any, args: Any) -> int | None:
    value = headers.get("Last-Event-ID") or args.get("last_event_id")
    number = int(value) if value and value.strip().isdigit() else None
    return number if number is not None and number <= MAX_ID else None  # a forged huge id: from the start


def stream_settings(app: Flask) -> live.StreamSettings:
    return live.StreamSettings(keepalive=float(app.config["SSE_KEEPALIVE_SECONDS"]),
                               retry_ms=int(app.config["SSE_RETRY_MILLISECONDS"]),
                               lifetime=float(app.config["SSE_MAX_STREAM_SECONDS"]))


def fanout_for(app: Flask) -> live.EventFanout:
    """The process's one subscriber (per app: tests run several apps in one process)."""
    if "sse_fanout" not in app.extensions:
        app.extensions["sse_fanout"] = live.EventFanout(app.extensions["redis"], lambda i: _load_event(app, i))
    return app.extensions["sse_fanout"]  # type: ignore[no-any-return]


# The stream runs outside the request's app context: each read opens and closes its own session.
def _events_after(app: Flask, user_id: int, after: int) -> list[dict[str, Any]]:
    with app.extensions["db"].factory() as session:
        return [live.event_view(row) for row in live.events_after(session, user_id, after, 500)]


def _latest_id(app: Flask, user_id: int) -> int:
    with app.extensions["db"].factory() as session:
        return live.latest_event_id(session, user_id)


def _load_event(app: Flask, event_id: int) -> dict[str, Any] | None:
    with app.extensions["db"].factory() as session:
        return live.load_event_view(session, event_id)
