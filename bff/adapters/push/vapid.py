"""VAPID keys: from the environment in production, generated under ``var/`` in development.

``ONETHING_VAPID_PRIVATE_KEY`` holds the private key as PEM or as base64 (DER or raw);
``ONETHING_VAPID_SUBJECT`` is the ``mailto:`` or ``https:`` contact push services may use.
Rotating the key orphans every subscription: the PWA re-subscribes when the public key
it gets from ``GET /api/v1/push/public-key`` differs from the one it subscribed with.
"""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid

log = logging.getLogger("bff.push")
DEV_KEY_FILE = "vapid_private.pem"


def load_vapid(private_key: str) -> Vapid:
    """A :class:`Vapid` from a PEM or base64 (DER or raw 32-byte) private key."""
    if "BEGIN" in private_key:
        return Vapid.from_pem(private_key.encode())
    return Vapid.from_string(private_key.strip())


def development_vapid(var_dir: Path) -> Vapid:
    """The development key under ``var/``, generated (owner-only) on first start."""
    path = var_dir / DEV_KEY_FILE
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        vapid = Vapid()
        vapid.generate_keys()
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(vapid.private_pem())
        log.info("generated a development VAPID key at %s", path)
    return Vapid.from_pem(path.read_bytes())


def application_server_key(vapid: Vapid) -> str:
    """The public key as ``pushManager.subscribe`` wants it: base64url of the uncompressed point."""
    raw = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
