"""Mandates (委托代办): one person acting for another, within a scope, until an expiry (pure).

A resident (the principal) authorises a relative from the registry or a registered community
agent (代办员) for one bundle or one application. ``apply_follow`` lets the agent start, fill,
submit and follow it; ``receive_money`` also lets them enter or change where money is paid.
A mandate works from its grant until it expires or is revoked, whichever comes first; both are
checked on every request, so an ended mandate stops working at once, mid-session.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bff.core.clock import CHINA
from bff.core.errors import PermissionDenied, ValidationFailed
from bff.core.text import Text

SCOPES = ("apply_follow", "receive_money")
AGENT_KINDS = ("relative", "community_agent")
MAX_DAYS = 90
# Answers that say where money goes: the bank account and the payee. Changing them on someone's
# behalf needs the receive_money scope.
MONEY_FIELD_PREFIXES = ("bank.", "payee.")

ENDED = Text("该委托已撤销或已过期，已为您切换回本人办理。",
             "That mandate has been revoked or has expired; you are acting as yourself again.")
NOT_COVERED = Text("您的委托不包括此事项。", "Your mandate does not cover this.")
NEEDS_MONEY = Text("修改收款账户需要“代为领取”的委托。",
                   "Changing where money is paid needs a mandate that includes receiving money.")
IN_PERSON = Text("此操作须由本人办理，请先切换回本人。",
                 "Only the person themselves can do this; switch back to yourself first.")
NOT_RELATED = Text("只能委托登记在户籍中的亲属或已登记的社区代办员。",
                   "You can only authorise a relative in the registry or a registered community agent.")
NO_MANDATE = Text("您没有代此人办理的有效委托。", "You hold no valid mandate to act for this person.")
EXPIRY_PAST = Text("到期日须晚于今天。", "The expiry date must be after today.")
EXPIRY_TOO_LONG = Text(f"委托最长 {MAX_DAYS} 天。", f"A mandate lasts at most {MAX_DAYS} days.")
ONE_TARGET = Text("请选择一个事项或一个办件（只能选一个）。", "Choose one bundle or one application (exactly one).")
QR_SESSION = Text("扫码登录的会话不能授权他人代办，请在手机上操作。",
                  "A session signed in by QR code cannot authorise someone to act for you; do this on your phone.")


@dataclass(frozen=True)
class Terms:
    """What a mandate allows, as the rules need it."""

    principal_user_id: int
    agent_user_id: int | None
    scope: str
    bundle: str | None
    application_number: str | None
    expires_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class Need:
    """What one request does: with which scope, on which bundle or application (if known)."""

    scope: str = "apply_follow"
    bundle: str | None = None
    number: str | None = None


def is_active(terms: Terms, now: datetime) -> bool:
    """Granted, not revoked, not expired at ``now``."""
    return terms.revoked_at is None and now < terms.expires_at


def scope_allows(granted: str, needed: str) -> bool:
    """``receive_money`` includes ``apply_follow``; nothing else includes ``receive_money``."""
    return granted == needed or (granted == "receive_money" and needed == "apply_follow")


def covers(terms: Terms, need: Need) -> bool:
    """Whether the mandate reaches what the request is about.

    A bundle mandate covers every application of that bundle; an application mandate only that
    application (it cannot start a new one). A request about nothing in particular (a list)
    is covered, and the list is then narrowed with :func:`visible`.
    """
    if terms.application_number is not None:
        if need.number is not None:
            return need.number == terms.application_number
        return need.bundle is None
    if need.bundle is not None:
        return need.bundle == terms.bundle
    return need.number is None


def allowing(mandates: Iterable[Terms], need: Need, now: datetime) -> Terms | None:
    """The first active mandate that covers ``need`` with the scope it needs, if any."""
    for terms in mandates:
        if is_active(terms, now) and covers(terms, need) and scope_allows(terms.scope, need.scope):
            return terms
    return None


def check_allowed(mandates: list[Terms], need: Need, now: datetime) -> Terms:
    """The mandate allowing ``need``, or :class:`PermissionDenied` saying what is missing."""
    found = allowing(mandates, need, now)
    if found is not None:
        return found
    if need.scope == "receive_money" and allowing(mandates, Need("apply_follow", need.bundle, need.number), now):
        raise PermissionDenied(NEEDS_MONEY, code="mandate_scope")
    raise PermissionDenied(NOT_COVERED, code="mandate_not_covering")


def visible(mandates: list[Terms], bundle: str, number: str, now: datetime) -> bool:
    """Whether an application of the principal shows in the agent's lists."""
    return any(is_active(m, now) and (m.bundle == bundle or m.application_number == number) for m in mandates)


def money_scope(answer_keys: Iterable[str]) -> str:
    """The scope a change of these answers needs."""
    touches_money = any(key.startswith(MONEY_FIELD_PREFIXES) for key in answer_keys)
    return "receive_money" if touches_money else "apply_follow"


def expiry_of(expires_on: date, today: date) -> datetime:
    """The moment a mandate ending on ``expires_on`` (inclusive, China's calendar) ends, or
    :class:`ValidationFailed` on the field when the date is past or too far."""
    if expires_on <= today:
        raise ValidationFailed(EXPIRY_PAST, errors={"expires_on": [EXPIRY_PAST]})
    if expires_on > today + timedelta(days=MAX_DAYS):
        raise ValidationFailed(EXPIRY_TOO_LONG, errors={"expires_on": [EXPIRY_TOO_LONG]})
    return datetime.combine(expires_on + timedelta(days=1), time.min, tzinfo=CHINA)


def check_target(bundle: str | None, number: str | None) -> None:
    """Exactly one of a bundle and an application number."""
    if (bundle is None) == (number is None):
        raise ValidationFailed(ONE_TARGET, errors={"bundle": [ONE_TARGET], "application_number": [ONE_TARGET]})


# What the principal sees of an agent's acts under "谁查看了我的信息" (the events' names).
ACCESS_LOG_EVENTS = ("acting_started", "draft_started", "draft_deleted", "application_submitted",
                     "supplement_provided", "application_withdrawn", "rating_given")
ACTED_PURPOSE = Text("受托代办", "Acting under your mandate")
