"""The demo world's registry feed: the signals its records imply, dated by the day each is sent.

Real data for the embedded default: the hospital's birth record (sent the day of the birth), the
death record (the day of the death), a retirement date (a month ahead of it) and every age an
automatic item starts at (the birthday). The cursor is the last day read: a first read (no cursor)
starts ``FIRST_READ_DAYS`` back, so a fresh demo shows this week's events and not decades of
birthdays. Sequences order a person's signals by the day they were sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bff.adapters.prefill.sample import SampleRegistry, SampleWorld
from bff.core.clock import china_today
from bff.core.ports import LifeEventSignal, SignalPage
from bff.core.proactive import RETIREMENT_NOTICE

FIRST_READ_DAYS = 30
KIND_ORDER = {"birth": 0, "retirement": 1, "age": 2, "death": 3}


class SampleSignals:
    name = "sample"

    def __init__(self, registry: SampleRegistry, ages: Sequence[int], today: date | None = None) -> None:
        self.registry, self.ages, self._today = registry, tuple(ages), today

    def signals_after(self, cursor: str | None, limit: int) -> SignalPage:
        today = self._today or self.registry_today()
        start = date.fromisoformat(cursor) if cursor else today - timedelta(days=FIRST_READ_DAYS)
        sent = sorted(((day, signal) for day, signal in self.all_signals(self.registry.world, today) if start < day <= today),
                      key=lambda pair: (pair[0], pair[1].sequence))
        return SignalPage(tuple(signal for _, signal in sent[:limit]), today.isoformat() if len(sent) <= limit
                          else sent[limit - 1][0].isoformat())

    def registry_today(self) -> date:
        return china_today()

    def all_signals(self, world: SampleWorld, today: date) -> list[tuple[date, LifeEventSignal]]:
        """Every (day sent, signal) of the world up to ``today``."""
        found: list[tuple[date, LifeEventSignal]] = []
        for birth in world.births:
            found.append((birth.born, _signal("birth", birth.mother_id_number, birth.born, birth.born, record=birth.number)))
        for number, death in world.deaths.items():
            found.append((death.died, _signal("death", number, death.died, death.died, record=death.number)))
        for number, pension in world.pensions.items():
            if pension.retirement_date and not pension.in_payment:
                notice = pension.retirement_date - timedelta(days=RETIREMENT_NOTICE)
                found.append((notice, _signal("retirement", number, pension.retirement_date, notice)))
        for number, person in world.persons.items():
            for age in self.ages:
                birthday = _birthday(person.born, age)
                if person.died is None and birthday <= today:
                    found.append((birthday, _signal("age", number, birthday, birthday, age=age)))
        return [(day, signal) for day, signal in found if day <= today]


def _signal(kind: str, id_number: str, occurred_on: date, sent_on: date, *, record: str | None = None,
            age: int | None = None) -> LifeEventSignal:
    key = record or (f"{id_number[-4:]}-{age}" if age else f"{id_number[-4:]}-{occurred_on.isoformat()}")
    return LifeEventSignal(f"sample:{kind}:{key}", kind, id_number, sent_on.toordinal() * 10 + KIND_ORDER[kind],
                           occurred_on, record, age)


def _birthday(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February in a common year
        return born.replace(year=born.year + age, day=28)
