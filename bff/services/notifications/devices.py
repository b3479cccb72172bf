"""A resident's devices: Web Push subscriptions, and the VAPID key they subscribe with.

Every function takes the signed-in user's id and only ever touches that user's rows:
another person's device is "not found", never "forbidden".
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from py_vapid import Vapid

from bff.adapters.push.vapid import application_server_key, development_vapid, load_vapid
from bff.config import VAR_DIR
from bff.core.devices import parse_hosts, push_endpoint_allowed
from bff.core.errors import NotFound, ValidationFailed
from bff.core.text import Text
from bff.store import Session
from bff.store.models import utcnow
from bff.store.notification_models import PushSubscription
from bff.store.queries import notifications as queries

NOT_FOUND = Text("找不到这条记录。", "We could not find that.")
BAD_ENDPOINT = Text("推送地址无效。", "The push endpoint is not valid.")
NOT_A_PUSH_SERVICE = Text("推送地址不属于已知的推送服务，请使用浏览器自带的通知功能。",
                          "The push endpoint is not one of the known push services; use the browser's own notifications.")
BAD_KEYS = Text("推送密钥无效，请重新开启通知。", "The push keys are not valid; turn notifications on again.")


def vapid_for(app: Flask) -> Vapid:
    """The app's VAPID key: ``VAPID_PRIVATE_KEY`` if set (required in production), else ``var/``."""
    if "vapid" not in app.extensions:
        configured = app.config.get("VAPID_PRIVATE_KEY") or ""
        if configured:
            app.extensions["vapid"] = load_vapid(configured)
        elif app.config["ENV"] == "production":
            raise RuntimeError("ONETHING_VAPID_PRIVATE_KEY is required in production")
        else:
            app.extensions["vapid"] = development_vapid(VAR_DIR)
    return app.extensions["vapid"]  # type: ignore[no-any-return]


def push_public_key(app: Flask) -> str:
    """The applicationServerKey (base64url) browsers subscribe with."""
    return application_server_key(vapid_for(app))


def subscribe_device(session: Session, user_id: int, subscription: Mapping[str, Any], device: str, *,
                     allow_http: bool, extra_hosts: frozenset[str] = frozenset()) -> PushSubscription:
    """Save (or refresh) this browser's subscription for ``user_id``.

    An endpoint belongs to one browser: if someone else signed in on it before, the device
    now tells only the person signed in now. Only a known push service's endpoint (or one of
    ``extra_hosts``) is accepted: the worker will POST to it.
    """
    endpoint, keys = subscription["endpoint"], subscription["keys"]
    check_endpoint(endpoint, allow_http, extra_hosts)
    check_keys(keys["p256dh"], keys["auth"])
    row = queries.subscription_by_endpoint(session, endpoint)
    if row is None:
        row = PushSubscription(endpoint=endpoint, user_id=user_id)
        session.add(row)
    row.user_id, row.p256dh, row.auth, row.device = user_id, keys["p256dh"], keys["auth"], device[:100]
    row.last_seen_at, row.failure_count = utcnow(), 0
    session.commit()
    return row


def check_endpoint(endpoint: str, allow_http: bool, extra_hosts: frozenset[str] = frozenset()) -> None:
    """An https URL of reasonable length (plain http where allowed: development and tests) of a
    known push service or one of ``extra_hosts``."""
    parts = urlsplit(endpoint)
    plain_http_ok = allow_http and parts.scheme == "http"
    if not parts.netloc or (parts.scheme != "https" and not plain_http_ok) or len(endpoint) > 2000:
        raise ValidationFailed(BAD_ENDPOINT, errors={"endpoint": [BAD_ENDPOINT]})
    if not push_endpoint_allowed(endpoint, extra_hosts=extra_hosts, allow_http=allow_http):
        raise ValidationFailed(NOT_A_PUSH_SERVICE, errors={"endpoint": [NOT_A_PUSH_SERVICE]})


def push_extra_hosts(app: Flask) -> frozenset[str]:
    """The push services the deployment adds to the browsers' own (``PUSH_EXTRA_HOSTS``)."""
    return parse_hosts(app.config["PUSH_EXTRA_HOSTS"])


def check_keys(p256dh: str, auth: str) -> None:
    """A P-256 public point (65 bytes, uncompressed) and a 16-byte auth secret, base64url."""
    try:
        point, secret = _b64url(p256dh), _b64url(auth)
    except (binascii.Error, ValueError):
        point, secret = b"", b""
    if len(point) != 65 or point[0] != 4 or len(secret) != 16:
        raise ValidationFailed(BAD_KEYS, errors={"keys": [BAD_KEYS]})


def _b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def list_devices(session: Session, user_id: int) -> list[PushSubscription]:
    """The resident's devices, oldest first."""
    return queries.devices_of(session, user_id)


def remove_device(session: Session, user_id: int, device_id: int) -> None:
    """Stop pushes to one of the resident's devices; committed."""
    row = session.get(PushSubscription, device_id)
    if row is None or row.user_id != user_id:
        raise NotFound(NOT_FOUND)
    session.delete(row)
    session.commit()
