"""Demo personas as their first login makes them, and a real server-side session for a test client."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from bff.demo import Persona, persona
from bff.extensions import db
from bff.services.users import upsert_user_from_claims
from bff.store.models import User
from tests.factories.users import ISSUER


def persona_claims(who: Persona) -> dict[str, Any]:
    return {"name": who.name, "id_number": who.id_number, "phone_number": who.mobile,
            "roles": list(who.roles), "department": who.department}


def create_user(key: str, today: date | None = None) -> User:
    """The demo persona ``key`` as a user (as their first login would create them)."""
    who = persona(key, today)
    user = upsert_user_from_claims(db.session, ISSUER, who.key, persona_claims(who))
    db.session.commit()
    return user


def sign_in(app: Flask, client: FlaskClient, user: User, *, kind: str = "browser") -> str:
    """Give ``client`` a real server-side session for ``user``; returns the session id."""
    record = app.extensions["sessions"].create(user.id, list(user.roles), user.department, kind=kind,
                                               device="pytest", place="Hangzhou")
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], record.id)
    return record.id
