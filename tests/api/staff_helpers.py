"""Helpers for the service-desk tests: signed-in clients, a resident with an application, a grant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from bff.store.models import User
from tests.conftest import ApiClient
from tests.factories import ApplicationFactory, create_user, sign_in


@dataclass
class Resident:
    user: User
    client: FlaskClient
    number: str  # a submitted application
    id_number: str
    mobile: str


def signed_in_client(app: Flask, persona: str) -> tuple[FlaskClient, User]:
    app.test_client_class = ApiClient  # sends the PWA's CSRF header
    client = app.test_client()
    user = create_user(persona)
    sign_in(app, client, user)
    return client, user


def resident_with_application(app: Flask, persona: str = "zhangwei") -> Resident:
    """``persona`` signed in, with a birth application just submitted (its deliveries still queued)."""
    client, user = signed_in_client(app, persona)
    number = ApplicationFactory(persona=persona, delivered=False).number
    return Resident(user=user, client=client, number=number, id_number=user.id_number or "",
                    mobile=user.mobile or "")


def grant_headers(staff: FlaskClient, resident_id: int, **reason: Any) -> dict[str, str]:
    body = reason or {"ticket": "KF-20261126-0001"}
    response = staff.post(f"/api/v1/staff/residents/{resident_id}/access", json=body)
    assert response.status_code == 201, response.json
    return {"X-Staff-Grant": response.json["grant"]}
