"""The item graph (pure): which items wait for which, what fails with them, and when each can end.

An item ``needs`` others: its case is dispatched only when every needed case of the same
application is approved (and nothing else holds it). Needs are given as a mapping
``{item: [items it needs]}``; a need outside the mapping (an item the application does not
include, e.g. excluded by its ``when``) is not waited for (:func:`within`).

Time: a case starts when its needs are done (or at once) and ends its time limit in working
days later (:mod:`bff.core.calendar`); the bundle's promise is the longest such chain, the
critical path (:func:`critical_path_days`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bff.core.applications import APPROVED, FAILED, TERMINAL, WAITING
from bff.core.calendar import add_working_days
from bff.core.catalog import CERTIFICATE_NUMBER
from bff.core.idnumber import is_valid_id_number
from bff.core.text import Text

Needs = Mapping[str, Iterable[str]]


class GraphCycle(ValueError):
    """The needs go round: ``cycle`` lists the items, the first repeated at the end."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__(" -> ".join(cycle))
        self.cycle = cycle


def within(needs: Needs, included: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The needs among ``included`` items only: a need that is not included is not waited for."""
    keep = set(included)
    return {item: tuple(n for n in needs.get(item, ()) if n in keep) for item in keep}


def dependents(needs: Needs) -> dict[str, tuple[str, ...]]:
    """``{item: items that need it}`` (each item of ``needs`` present, possibly with none)."""
    result: dict[str, list[str]] = {item: [] for item in needs}
    for item in needs:
        for needed in needs[item]:
            result.setdefault(needed, []).append(item)
    return {item: tuple(sorted(users)) for item, users in result.items()}


def find_cycle(needs: Needs) -> list[str] | None:
    """A cycle of needs (``[a, b, a]``), or ``None``. Needs naming unknown items are ignored."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(needs):
        if state.get(start):
            continue
        path = [start]
        stack = [iter(sorted(needs[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif nxt in needs and state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            elif nxt in needs and not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(needs[nxt])))
    return None


def topological_order(needs: Needs, order: Iterable[str] | None = None) -> list[str]:
    """Items with every need before its users; ties keep ``order`` (default: sorted).

    Raises :class:`GraphCycle`."""
    cycle = find_cycle(needs)
    if cycle:
        raise GraphCycle(cycle)
    rank = {item: i for i, item in enumerate(order if order is not None else sorted(needs))}
    placed: list[str] = []
    done: set[str] = set()
    remaining = sorted(needs, key=lambda item: (rank.get(item, len(rank)), item))
    while remaining:
        ready = next(item for item in remaining if all(n in done or n not in needs for n in needs[item]))
        placed.append(ready)
        done.add(ready)
        remaining.remove(ready)
    return placed


def blockers(needed: Iterable[str], statuses: Mapping[str, str]) -> list[str]:
    """The needed items not approved yet (a need absent from ``statuses`` is not waited for)."""
    return [item for item in needed if item in statuses and statuses[item] != APPROVED]


def is_ready(needed: Iterable[str], statuses: Mapping[str, str], hold: Mapping[str, object] | None) -> bool:
    """Whether a waiting case may go: every present need approved and nothing else holding it."""
    return not blockers(needed, statuses) and not hold


def ready_to_release(needs: Needs, statuses: Mapping[str, str],
                     holds: Mapping[str, Mapping[str, object] | None] | None = None) -> list[str]:
    """The waiting items that may go now, in dependency order."""
    holds = holds or {}
    return [item for item in topological_order(needs)
            if statuses.get(item) == WAITING and is_ready(needs[item], statuses, holds.get(item))]


def cascade(failed: str, needs: Needs, statuses: Mapping[str, str]) -> list[str]:
    """The items that cannot be done because ``failed`` ended without approval, transitively.

    Only cases still open are taken (an ended one keeps its end), in dependency order."""
    users = dependents(needs)
    lost: list[str] = []
    queue = list(users.get(failed, ()))
    while queue:
        item = queue.pop(0)
        if item in lost or statuses.get(item) in TERMINAL:
            continue
        lost.append(item)
        queue.extend(users.get(item, ()))
    order = topological_order(needs)
    return sorted(lost, key=order.index)


def failed_need(needed: Iterable[str], statuses: Mapping[str, str]) -> str | None:
    """The first needed item that ended without approval, if any."""
    return next((item for item in needed if statuses.get(item) in FAILED), None)


# --- Time -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Expected:
    """When an item is expected to start and to be decided (China dates)."""

    start: date
    finish: date


def expected_dates(needs: Needs, limits: Mapping[str, int], today: date,
                   known: Mapping[str, Expected] | None = None,
                   add: Callable[[date, int], date] = add_working_days) -> dict[str, Expected]:
    """Each item's expected start and decision dates.

    ``known`` fixes what already happened or is promised (a decided case ends on its decision
    date, a dispatched one on its due date); every other item starts when the last of its needs
    is expected to finish (or ``today``) and ends ``limits[item]`` working days later."""
    known = known or {}
    result: dict[str, Expected] = {}
    for item in topological_order(needs):
        if item in known:
            result[item] = known[item]
            continue
        finishes = [result[n].finish for n in needs[item] if n in result]
        start = max([today, *finishes])
        result[item] = Expected(start, add(start, limits.get(item, 0)))
    return result


def critical_path_days(needs: Needs, limits: Mapping[str, int]) -> int:
    """The longest chain of time limits (working days): the fastest every item can be done."""
    longest: dict[str, int] = {}
    for item in topological_order(needs):
        longest[item] = limits.get(item, 0) + max((longest[n] for n in needs[item] if n in longest), default=0)
    return max(longest.values(), default=0)


def critical_path(needs: Needs, limits: Mapping[str, int]) -> list[str]:
    """The items of one longest chain, the first to start first."""
    longest: dict[str, tuple[int, list[str]]] = {}
    for item in topological_order(needs):
        before = max((longest[n] for n in needs[item] if n in longest), default=(0, []), key=lambda x: x[0])
        longest[item] = (before[0] + limits.get(item, 0), [*before[1], item])
    return max(longest.values(), default=(0, []), key=lambda x: x[0])[1]


@dataclass(frozen=True)
class CaseTimes:
    """What the schedule of an application reads of one case (China dates)."""

    item: str
    status: str
    needs: tuple[str, ...]
    time_limit_days: int
    ready_on: date | None = None
    due_on: date | None = None
    decided_on: date | None = None


@dataclass(frozen=True)
class Schedule:
    """An application's expected dates: per item, the critical path of its items (working days,
    the promise made at submission) and when everything still open is expected to be done."""

    expected: dict[str, Expected]
    critical_path_days: int
    expected_complete_on: date | None


def schedule(cases: Iterable[CaseTimes], today: date) -> Schedule:
    """Expected dates of an application's cases: a decided case ends on its decision date, an open
    one on its due date, a waiting one its time limit after its needs' expected ends. Cases that
    ended without approval (and so everything needing them) are left out."""
    cases = list(cases)
    promise = _promise(tuple((c.item, tuple(c.needs), c.time_limit_days) for c in cases))
    live = [c for c in cases if c.status not in FAILED]
    needs = within({c.item: c.needs for c in live}, [c.item for c in live])
    known = {}
    for case in live:
        if case.status == APPROVED and case.decided_on:
            known[case.item] = Expected(case.ready_on or case.decided_on, case.decided_on)
        elif case.status != WAITING and case.due_on:
            known[case.item] = Expected(case.ready_on or today, case.due_on)
    expected = expected_dates(needs, {c.item: c.time_limit_days for c in live}, today, known)
    still_open = any(c.status not in TERMINAL for c in live)
    complete = max((e.finish for e in expected.values()), default=None) if still_open else None
    return Schedule(expected, promise, complete)


@lru_cache(maxsize=256)
def _promise(items: tuple[tuple[str, tuple[str, ...], int], ...]) -> int:
    """The critical path of a set of items: the same few sets recur on every progress read."""
    return critical_path_days(within({item: needs for item, needs, _ in items}, [item for item, _, _ in items]),
                              {item: days for item, _, days in items})


# --- Outputs --------------------------------------------------------------------------------

MAX_OUTPUT_LENGTH = 60
MISSING_OUTPUT = Text("办结时必须提供此项。", "Required when approving this item.")


def output_errors(produces: Iterable[str], supplied: Mapping[str, object], today: date) -> dict[str, list[Text]]:
    """What is wrong with the named outputs an approval supplies (``outputs.<name>``: field errors).

    Each output the item produces is required; a ``…id_number`` must be a valid citizen ID number
    (GB 11643), any other a short text; an output the item does not produce is refused."""
    produces = tuple(produces)
    errors: dict[str, list[Text]] = {}
    for name in produces:
        value = supplied.get(name)
        if value in (None, ""):
            errors[f"outputs.{name}"] = [MISSING_OUTPUT]
        elif problem := _output_problem(name, value, today):
            errors[f"outputs.{name}"] = [problem]
    for name in sorted(set(supplied) - set(produces) - {CERTIFICATE_NUMBER}):
        errors[f"outputs.{name}"] = [Text("此事项不产生这项数据。", "This item does not produce this.")]
    return errors


def _output_problem(name: str, value: object, today: date) -> Text | None:
    if not isinstance(value, str) or len(value.strip()) > MAX_OUTPUT_LENGTH or not value.strip().isprintable():
        return Text(f"请填写不超过 {MAX_OUTPUT_LENGTH} 个字符的文字。", f"Give a text of at most {MAX_OUTPUT_LENGTH} characters.")
    if name.endswith("id_number") and not is_valid_id_number(value, today):
        return Text("公民身份号码无效（请核对位数和校验码）。",
                    "Not a valid citizen ID number (check the length and the check character).")
    return None
