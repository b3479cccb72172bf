"""Proactive service (无感智办 / 免申即享): who a life-event signal offers a bundle to, and what
an automatic grant rests on. Pure rules; :mod:`bff.services.proactive` does the IO.

A signal (:class:`bff.core.ports.LifeEventSignal`) about a person becomes offers:

* a birth: to both parents (the mother of the hospital record and her registered spouse);
* a death: to the deceased's first-order family as the registry relates them (spouse, children,
  parents), living; an offer names the deceased to them and nothing else about them;
* a retirement date a month away: to the retiree;
* an age reached: to the person, for each item marked ``automatic`` whose condition holds.

An offer never repeats: one per (recipient, kind, subject), whatever its end (declined, used,
expired). Offers are opt-out per kind; automatic grants are opt-in per item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bff.core import conditions
from bff.core.catalog import ServiceItem
from bff.core.forms import CombinedForm
from bff.core.ports import LifeEventSignal, Person, Relative
from bff.core.text import Text

OFFER_KINDS = ("birth", "after-death", "retirement", "automatic")
BUNDLE_OF_SIGNAL = {"birth": "birth", "death": "after-death", "retirement": "retirement"}
# The relatives of the deceased an after-death offer goes to (the relation as the registry gives it,
# from the deceased's point of view): first-order heirs.
FIRST_ORDER = ("spouse", "child", "parent")
# How long an offer stays open after the event (the retirement offer: after the retirement date).
OPEN_DAYS = {"birth": 60, "after-death": 60, "retirement": 30, "automatic": 90}
RETIREMENT_NOTICE = 31  # days ahead a retirement is signalled ("a month ahead")
AGE_KEY = "subject.age"
OPEN, ACCEPTED, DECLINED = "open", "accepted", "declined"
# What the resident sees of an offer: open, expired, declined, used (their bundle exists), join (a
# relative's bundle for the same subject exists: they may ask to join instead of starting).
SHOWN = ("open", "expired", "declined", "used", "join")


@dataclass(frozen=True)
class Recipient:
    id_number: str
    relation: str  # the recipient as the subject's: self, mother, father, spouse, child, parent
    subject_name: str | None = None  # the deceased's name, for their first-order family only


@dataclass(frozen=True)
class Settings:
    """A resident's choices: offer kinds switched off; items they consented to be granted automatically."""

    offers_off: frozenset[str] = frozenset()
    automatic_items: frozenset[str] = frozenset()


def in_order(last_sequence: int | None, sequence: int) -> bool:
    """A person's signals are applied in sequence: one at or below the last applied is stale."""
    return last_sequence is None or sequence > last_sequence


def recipients_of(signal: LifeEventSignal, person: Person | None, relatives: Iterable[Relative]) -> list[Recipient]:
    """Who is offered the bundle a signal opens (none when the registry does not know the person)."""
    if person is None:
        return []
    if signal.kind == "birth":
        parents = [Recipient(person.id_number, "mother")]
        if person.spouse_id_number:
            parents.append(Recipient(person.spouse_id_number, "father"))
        return parents
    if signal.kind == "death":
        # the registry's relation is the relative as the deceased's: their child, spouse, parent
        return [Recipient(r.id_number, r.relation, person.name)
                for r in relatives if r.relation in FIRST_ORDER and r.died is None]
    if signal.kind in ("retirement", "age"):
        return [Recipient(person.id_number, "self")] if person.died is None else []
    return []


def expires_on(kind: str, occurred_on: date) -> date:
    """The last day an offer of ``kind`` is open."""
    return occurred_on + timedelta(days=OPEN_DAYS[kind])


def questions_left(form: CombinedForm) -> list[str]:
    """The questions the resident still answers once everything held is prefilled: the open ones
    outside the declarations (which are one confirmation at the end)."""
    return [f.key for f in form.fields if f.prefilled is None and f.definition.section != "consent"]


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def ages_watched(items: Iterable[ServiceItem]) -> list[int]:
    """The ages at which some automatic item may start to apply (what the age signals are sent for)."""
    bounds: set[int | float] = set()
    for item in items:
        if item.automatic is not None:
            bounds |= conditions.lower_bounds(item.automatic.when, AGE_KEY)
    return sorted(int(bound) for bound in bounds)


def automatic_items_due(items: Iterable[ServiceItem], facts: Mapping[str, Any]) -> list[tuple[ServiceItem, dict[str, Any]]]:
    """The automatic items whose condition holds on ``facts``, each with the data it rests on (the
    facts its condition reads). Unknown data decides nothing: a grant needs proof."""
    due = []
    for item in items:
        if item.automatic is not None and conditions.evaluate(item.automatic.when, facts.get) is True:
            due.append((item, {key: facts.get(key) for key in sorted(conditions.keys_of(item.automatic.when))}))
    return due


def shown_status(status: str, expires: date, today: date, case_number: str | None, is_member: bool) -> str:
    """What the resident sees of an offer. A bundle already active for its subject wins over
    everything: it is theirs (used) or a relative's (join); an open offer past its day is expired."""
    if case_number is not None:
        return "used" if is_member else "join"
    if status == ACCEPTED:
        return "used"
    if status == DECLINED:
        return "declined"
    return "expired" if today > expires else "open"


def offer_text(kind: str, questions: int, *, subject_name: str | None = None, item_name: Text | None = None,
               occurred_on: date | None = None) -> Text:
    """What an offer says in the app (the push says less: :mod:`bff.core.notifications`)."""
    if kind == "birth":
        return Text(f"宝宝的出生信息已登记，出生一件事已为您备好，只需确认 {questions} 项",
                    f"Your baby's birth is registered: the birth bundle is ready for you, "
                    f"with only {questions} {_things(questions)} to confirm")
    if kind == "after-death":
        name = subject_name or "亲人"
        return Text(f"{name}的离世信息已登记，身后一件事已为您备好，只需确认 {questions} 项",
                    f"{subject_name or 'Your relative'}'s death is registered: the after-death bundle is ready "
                    f"for you, with only {questions} {_things(questions)} to confirm")
    if kind == "retirement":
        day = occurred_on.isoformat() if occurred_on else ""
        return Text(f"您将于 {day} 到达退休年龄，退休一件事已为您备好，只需确认 {questions} 项",
                    f"You reach retirement age on {day}: the retirement bundle is ready for you, "
                    f"with only {questions} {_things(questions)} to confirm")
    item = item_name or Text("一项待遇", "a benefit")
    return Text(f"根据共享数据，您可免申领取{item.zh}：同意后自动办理，无需申请",
                f"Shared data shows you are entitled to the {item.en}: agree and it is granted, with no application")


def _things(count: int) -> str:
    return "thing" if count == 1 else "things"
