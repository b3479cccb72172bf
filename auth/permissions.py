"""Who may call a route. Every route declares exactly one rule with ``@access``.

Rules:
- ``public``: anyone, signed in or not.
- ``authenticated``: any signed-in person, whatever the role.
- ``resident``, ``staff``, ``officer``, ``admin``: a signed-in person holding that role
  (an admin passes every role check except ``resident``-owned data, which services check).
- ``department``: no session; the view verifies a department system's signature itself.
- ``monitoring``: no session; the view checks the monitoring system's bearer token itself.

The rule is enforced centrally before the view runs (:func:`enforce`), and a
convention test fails on any route without one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

RULES = ("public", "authenticated", "resident", "staff", "officer", "admin", "department", "monitoring")
# community_agent: a registered community agent (代办员), whom a resident may authorise to act
# for them (bff.services.mandates); it grants no route of its own.
ROLES = ("resident", "staff", "officer", "admin", "community_agent")
ATTR = "access_rule"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Principal:
    """The signed-in person of a request, as the session knows them."""

    user_id: int
    session_id: str
    roles: frozenset[str]
    department: str | None = None
    kind: str = "browser"  # browser | kiosk
    via_qr: bool = False  # the session came from a QR login: reduced scope (bff.services.identity)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def has(self, role: str) -> bool:
        return role in self.roles or (role != "resident" and "admin" in self.roles)


def access(rule: str) -> Callable[[F], F]:
    """Declare who may call a view function, a MethodView class, or one of its methods."""
    if rule not in RULES:
        raise ValueError(f"unknown access rule {rule!r}; use one of {RULES}")

    def mark(target: F) -> F:
        setattr(target, ATTR, rule)
        return target

    return mark


def rule_for(view: Callable[..., Any], method: str) -> str | None:
    """The rule declared for ``view`` answering ``method`` (MethodView methods first)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if method == "HEAD" and handler is None:
            handler = getattr(view_class, "get", None)
        return getattr(handler, ATTR, None) or getattr(view_class, ATTR, None)
    return getattr(view, ATTR, None)


class AccessDenied(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def enforce(rule: str | None, principal: Principal | None) -> None:
    """Raise :class:`AccessDenied` (401 or 403) unless ``principal`` may pass ``rule``."""
    if rule is None:
        raise AccessDenied(403)  # undeclared routes are closed
    if rule in ("public", "department", "monitoring"):
        return
    if principal is None:
        raise AccessDenied(401)
    if rule != "authenticated" and not principal.has(rule):
        raise AccessDenied(403)
