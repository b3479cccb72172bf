"""Whom a request acts for: the signed-in resident, or the principal of a mandate (委托代办).

An agent chooses, once per session, whom they act for (``POST /api/v1/me/acting-as``). From then
on every resident route is checked here, before its view, against the principal's live mandates:
a revoked or expired mandate answers 403 at once and the session acts as the agent again. The
views then ask :func:`resident_id` whose data they serve; it also checks that the mandate covers
the bundle or application the request is about, with the scope it needs. Events recorded while
acting name the agent as actor and carry ``on_behalf_of`` (``bff.services.events``).

Routes declare what acting means for them: ``@in_person`` (never on someone's behalf: refused
while acting — granting mandates, an heir's consent, account security) or ``@as_self`` (always
the signed-in person, e.g. the acting switch itself); every other resident route acts for the
principal through :func:`resident_id`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, g, request

from bff.core import mandates as rules
from bff.core.clock import utc_now
from bff.core.errors import PermissionDenied
from bff.extensions import db
from bff.services import mandates as service
from bff.services.events import set_acting

ATTR = "acting_mode"
IN_PERSON, AS_SELF = "in_person", "as_self"
F = TypeVar("F", bound=Callable[..., Any])


def in_person(view: F) -> F:
    """Only the person themselves may call this: refused (403) while acting for someone."""
    setattr(view, ATTR, IN_PERSON)
    return view


def as_self(view: F) -> F:
    """Always about the signed-in person, whether or not they are acting for someone."""
    setattr(view, ATTR, AS_SELF)
    return view


@dataclass(frozen=True)
class Acting:
    agent_user_id: int
    principal_user_id: int
    mandates: list[rules.Terms]


def mode_of(view: Callable[..., Any], method: str) -> str | None:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        return getattr(handler, ATTR, None) or getattr(view_class, ATTR, None)
    return getattr(view, ATTR, None)


def wire_acting(app: Flask) -> None:
    """Check the mandate of every acting request, after the access rule (``bff.app.wire_auth``)."""

    @app.before_request
    def resolve_acting() -> None:
        set_acting(None)
        g.acting = None
        record = g.get("session")
        if record is None or record.acting_as is None or request.endpoint is None:
            return
        mode = mode_of(app.view_functions[request.endpoint], request.method)
        if mode == AS_SELF or (mode != IN_PERSON and g.get("access_rule") != "resident"):
            return
        mandates = checked_mandates(record)  # an ended mandate answers that, even on an in-person route
        if mode == IN_PERSON:
            raise PermissionDenied(rules.IN_PERSON, code="in_person_only")
        g.acting = Acting(record.user_id, record.acting_as, mandates)
        set_acting(record.user_id, record.acting_as)

    @app.teardown_request
    def forget_acting(_error: BaseException | None) -> None:
        set_acting(None)


def checked_mandates(record: Any) -> list[rules.Terms]:
    """The live mandates of the session's principal; none left clears the acting state, then 403."""
    try:
        return service.acting_mandates(db.session, record.user_id, record.acting_as, now=utc_now())
    except PermissionDenied:
        current_app.extensions["sessions"].set_acting_as(record.id, None)
        raise


def resident_id(*, bundle: str | None = None, number: str | None = None, scope: str = "apply_follow") -> int:
    """The resident whose data this request is about: the signed-in person, or the principal they act
    for, once the mandate is found to cover ``bundle`` / application ``number`` with ``scope`` (else 403)."""
    acting: Acting | None = g.get("acting")
    if acting is None:
        return int(g.principal.user_id)
    service.authorise(db.session, acting.mandates, rules.Need(scope, bundle, number), now=utc_now())
    return acting.principal_user_id


def shown(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of the resident's applications (each with ``bundle`` and ``number``), those the request may list."""
    acting: Acting | None = g.get("acting")
    if acting is None:
        return list(items)
    now = utc_now()
    return [item for item in items if rules.visible(acting.mandates, item["bundle"], item["number"], now)]
