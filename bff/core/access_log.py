""""Who viewed my data" as the resident reads it: who (and from which department), why, in plain words;
repeated looks folded into one line (pure rules, no IO).

Every look by the service desk or a department officer is an audited event, and an officer's
workbench records one each time a case is opened. The resident wants to know who looked and why,
not to count page loads: looks one after another by the same person, for the same purpose, on the
same day (China's) read as one line with how many times and from when to when. A reveal of a full
number is never folded into a look, nor into a reveal of another field. Only looks next to each
other in the log fold, so a line is a run of it and the list pages back exactly below its last line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bff.core.clock import CHINA
from bff.core.text import Text

# The reason an officer's look at a case is recorded with (its purpose is the case's reference).
CASE_WORK = "case_work"
SERVICE_DESK = Text("客服", "Service desk")


def case_work_purpose(item: Text | None) -> Text:
    """An officer's reason, as the resident reads it: handling the item (named when known)."""
    if item is None:
        return Text("办理您申请的事项", "Handling an item of your application")
    return Text(f"办理“{item.zh}”", f"Handling “{item.en}”")


def who_of(roles: Iterable[str] | None, department: Text | None) -> Text | None:
    """Where the person who looked works: their department (officers), the service desk (staff)."""
    roles = set(roles or ())
    if "officer" in roles and department is not None:
        return department
    if "staff" in roles or "admin" in roles:
        return SERVICE_DESK
    return None


@dataclass(frozen=True)
class Look:
    """One audited look, reveal or act, already in the resident's words."""

    id: int
    at: datetime
    actor: int | None
    action: str  # viewed | revealed | acted
    what: str
    purpose: str  # the key of the purpose: a code, a ticket, or the free text
    detail: str


@dataclass
class Line:
    """Looks folded into one line: the newest first."""

    looks: list[Look] = field(default_factory=list)

    @property
    def newest(self) -> Look:
        return self.looks[0]

    @property
    def count(self) -> int:
        return len(self.looks)

    @property
    def first_at(self) -> datetime:
        return self.looks[-1].at

    @property
    def whats(self) -> list[str]:
        """What was looked at, each once, in the order first looked at."""
        return list(dict.fromkeys(look.what for look in reversed(self.looks)))


def china_day(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def _key(look: Look) -> tuple[object, ...]:
    # A reveal or an agent's act stays apart by what it was; looks at several views fold together.
    what = look.what if look.action in ("revealed", "acted") else ""
    return look.actor, look.action, what, look.purpose, look.detail, china_day(look.at)


def fold(looks: Sequence[Look]) -> list[Line]:
    """Fold ``looks`` (newest first) into lines, newest line first: each run of looks with the same
    person, action, purpose and day is one line."""
    lines: list[Line] = []
    last_key: tuple[object, ...] | None = None
    for look in looks:
        key = _key(look)
        if key != last_key:
            lines.append(Line())
            last_key = key
        lines[-1].looks.append(look)
    return lines
