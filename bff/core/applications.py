"""Applications and cases: the status machines, numbers and submission rules (pure).

A Case is the part of an application one department handles::

    submitted → accepted → processing → approved | rejected
    accepted | processing → supplement_requested ⇄ supplemented → processing
    submitted → withdrawn   (only before acceptance)
    waiting → submitted     (released: every item it needs approved, no hold; bff.core.graph)
    waiting → not_possible | withdrawn

A case that needs other items starts ``waiting``; when a needed item ends without approval it
ends ``not_possible`` (terminal).

An Application's status is derived from its cases (see :func:`derive_application_status`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bff.core.errors import InvalidTransition, ValidationFailed
from bff.core.text import Text

# --- Case status machine -------------------------------------------------------------------

SUBMITTED = "submitted"
ACCEPTED = "accepted"
PROCESSING = "processing"
SUPPLEMENT_REQUESTED = "supplement_requested"
SUPPLEMENTED = "supplemented"
APPROVED = "approved"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
WAITING = "waiting"
NOT_POSSIBLE = "not_possible"

CASE_STATUSES = (WAITING, SUBMITTED, ACCEPTED, PROCESSING, SUPPLEMENT_REQUESTED, SUPPLEMENTED,
                 APPROVED, REJECTED, WITHDRAWN, NOT_POSSIBLE)
TERMINAL = frozenset({APPROVED, REJECTED, WITHDRAWN, NOT_POSSIBLE})
# Ended without approval: what needs such an item cannot be done.
FAILED = frozenset({REJECTED, WITHDRAWN, NOT_POSSIBLE})

CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    WAITING: frozenset({SUBMITTED, NOT_POSSIBLE, WITHDRAWN}),
    SUBMITTED: frozenset({ACCEPTED, WITHDRAWN}),
    ACCEPTED: frozenset({PROCESSING, SUPPLEMENT_REQUESTED}),
    PROCESSING: frozenset({APPROVED, REJECTED, SUPPLEMENT_REQUESTED}),
    SUPPLEMENT_REQUESTED: frozenset({SUPPLEMENTED}),
    SUPPLEMENTED: frozenset({PROCESSING, SUPPLEMENT_REQUESTED}),
    APPROVED: frozenset(),
    REJECTED: frozenset(),
    WITHDRAWN: frozenset(),
    NOT_POSSIBLE: frozenset(),
}

# Who may cause each transition: the resident withdraws and supplies supplements;
# the department (officer or its system) does the rest.
RESIDENT_TARGETS = frozenset({WITHDRAWN, SUPPLEMENTED})
# Moves only the item graph makes (bff.services.graph): never part of a department's walk.
GRAPH_MOVES = frozenset({(WAITING, SUBMITTED), (WAITING, NOT_POSSIBLE)})

STATUS_TEXT: dict[str, Text] = {
    SUBMITTED: Text("已提交", "Submitted"),
    ACCEPTED: Text("已受理", "Accepted"),
    PROCESSING: Text("办理中", "Processing"),
    SUPPLEMENT_REQUESTED: Text("待补正材料", "Supplement requested"),
    SUPPLEMENTED: Text("已补正", "Supplement provided"),
    APPROVED: Text("已办结", "Approved"),
    REJECTED: Text("不予批准", "Rejected"),
    WITHDRAWN: Text("已撤回", "Withdrawn"),
    WAITING: Text("等待前序事项", "Waiting for another item"),
    NOT_POSSIBLE: Text("无法办理", "Not possible"),
}


def can_transition(current: str, target: str) -> bool:
    return target in CASE_TRANSITIONS.get(current, frozenset())


def check_case_transition(current: str, target: str) -> None:
    """Raise :class:`InvalidTransition` unless the machine allows ``current → target``."""
    if not can_transition(current, target):
        raise InvalidTransition(
            Text(f"当前状态（{STATUS_TEXT[current].zh}）下不能进行此操作。",
                 f"This cannot be done while the case is {STATUS_TEXT[current].en.lower()}."),
            code="invalid_transition")


def path_to(current: str, target: str) -> list[str] | None:
    """The shortest chain of department-side transitions from ``current`` to ``target``.

    Used to apply callbacks that arrive out of order: an ``approved`` that overtakes
    its ``accepted`` walks ``accepted → processing → approved``. Returns ``[]`` when
    already there and ``None`` when ``target`` is behind (a stale callback). A path
    never passes through a resident's transition.
    """
    if current == target:
        return []
    queue: deque[tuple[str, list[str]]] = deque([(current, [])])
    seen = {current}
    while queue:
        status, path = queue.popleft()
        for nxt in sorted(CASE_TRANSITIONS[status] - RESIDENT_TARGETS):
            if (status, nxt) in GRAPH_MOVES:
                continue
            if nxt == target:
                return [*path, nxt]
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, [*path, nxt]))
    return None


# --- Application status, derived ------------------------------------------------------------

DRAFT = "draft"
IN_PROGRESS = "in_progress"
ACTION_REQUIRED = "action_required"
COMPLETED = "completed"
PARTIALLY_REJECTED = "partially_rejected"
# An application in one of these is finished: no case of it will move again.
FINISHED_APPLICATION = frozenset({COMPLETED, PARTIALLY_REJECTED, WITHDRAWN})

APPLICATION_STATUS_TEXT: dict[str, Text] = {
    DRAFT: Text("草稿", "Draft"),
    SUBMITTED: Text("已提交", "Submitted"),
    IN_PROGRESS: Text("办理中", "In progress"),
    ACTION_REQUIRED: Text("需要您补充材料", "Your action is needed"),
    COMPLETED: Text("已全部办结", "Completed"),
    PARTIALLY_REJECTED: Text("部分事项未获批准", "Partly rejected"),
    WITHDRAWN: Text("已撤回", "Withdrawn"),
}


def derive_application_status(case_statuses: Sequence[str]) -> str:
    """The application's status from its cases' (no cases: still a draft)."""
    if not case_statuses:
        return DRAFT
    statuses = set(case_statuses)
    if statuses == {WITHDRAWN}:
        return WITHDRAWN
    if SUPPLEMENT_REQUESTED in statuses:
        return ACTION_REQUIRED
    if statuses <= TERMINAL:
        return PARTIALLY_REJECTED if statuses & {REJECTED, NOT_POSSIBLE} else COMPLETED
    # Nothing accepted or decided yet: cases waiting for another item are not under way either.
    if statuses <= {SUBMITTED, WAITING}:
        return SUBMITTED
    return IN_PROGRESS


@dataclass(frozen=True)
class NextAction:
    code: str
    text: Text


NEXT_ACTIONS: dict[str, NextAction] = {
    DRAFT: NextAction("submit", Text("完成填写并提交", "Finish the form and submit it")),
    SUBMITTED: NextAction("wait", Text("等待部门受理，受理前可撤回",
                                       "Wait for the departments to accept; you may withdraw until then")),
    IN_PROGRESS: NextAction("wait", Text("部门正在办理，无需再跑", "The departments are on it; nothing to do")),
    ACTION_REQUIRED: NextAction("supply_supplement", Text("请按要求补充材料", "Supply what a department asked for")),
    COMPLETED: NextAction("download_certificates", Text("下载电子证照并评价", "Download certificates and rate us")),
    PARTIALLY_REJECTED: NextAction("read_reasons", Text("查看未获批准的原因", "Read why a part was rejected")),
    WITHDRAWN: NextAction("none", Text("申请已撤回", "The application was withdrawn")),
}


def next_action(application_status: str) -> NextAction:
    return NEXT_ACTIONS[application_status]


def can_withdraw(case_statuses: Iterable[str]) -> bool:
    """Withdrawal is only before acceptance: every case must still be ``submitted`` or ``waiting``."""
    statuses = list(case_statuses)
    return bool(statuses) and all(status in (SUBMITTED, WAITING) for status in statuses)


# --- Numbers ----------------------------------------------------------------------------------

NUMBER_PREFIX = "YJ"
_NUMBER = re.compile(r"^YJ(\d{6})(\d{6,})([0-9X])$")
_CHECK = "10X98765432"


def _check_character(digits: str) -> str:
    """ISO 7064 MOD 11-2, as in the resident ID number: easy to read back over the phone."""
    total = sum(int(d) * (2 ** (len(digits) - i) % 11) for i, d in enumerate(digits))
    return _CHECK[total % 11]


def format_application_number(day: date, sequence: int) -> str:
    """``YJ`` + yymmdd + a sequence of at least six digits + a check character.

    >>> format_application_number(date(2026, 11, 26), 123)
    'YJ2611260001233'
    """
    digits = f"{day:%y%m%d}{sequence:06d}"
    return f"{NUMBER_PREFIX}{digits}{_check_character(digits)}"


def is_valid_application_number(value: str) -> bool:
    match = _NUMBER.match(value.strip().upper())
    return bool(match) and _check_character(match[1] + match[2]) == match[3]  # type: ignore[index]


def case_reference(application_number: str, index: int) -> str:
    """The case's number: the application's plus its position (``…-02``)."""
    return f"{application_number}-{index:02d}"


# --- Submission idempotency -------------------------------------------------------------------

_KEY = re.compile(r"^[A-Za-z0-9_.:\-]{8,128}$")
IN_FLIGHT_TIMEOUT = timedelta(seconds=60)
KEY_RETENTION = timedelta(hours=24)


def check_idempotency_key(key: str | None) -> str:
    if not key or not _KEY.match(key):
        raise ValidationFailed(
            Text("缺少或无效的幂等键（Idempotency-Key，8–128 位字母数字）。",
                 "Send an Idempotency-Key header of 8–128 letters, digits, '-', '_', '.' or ':'."),
            code="idempotency_key_required")
    return key


def request_fingerprint(target: str, body: Mapping[str, Any] | None) -> str:
    """A stable hash of what was asked: the target and the canonical JSON body."""
    canonical = json.dumps(body or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{target}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class StoredKey:
    fingerprint: str
    completed: bool
    started_at: datetime


REPLAY, MISMATCH, IN_FLIGHT, TAKE_OVER = "replay", "mismatch", "in_flight", "take_over"


def decide_on_key(stored: StoredKey, fingerprint: str, now: datetime) -> str:
    """What a request whose key is already stored gets.

    - same body, finished: ``replay`` the stored receipt;
    - different body: ``mismatch`` (422), whatever the state;
    - same body, still running: ``in_flight`` (409) — unless it was abandoned longer
      than :data:`IN_FLIGHT_TIMEOUT` ago (a crashed process), then ``take_over``.
    """
    if stored.fingerprint != fingerprint:
        return MISMATCH
    if stored.completed:
        return REPLAY
    return TAKE_OVER if now - stored.started_at > IN_FLIGHT_TIMEOUT else IN_FLIGHT


KEY_MISMATCH = Text("此幂等键已用于另一份内容不同的提交。",
                    "This Idempotency-Key was already used with a different request.")
KEY_IN_FLIGHT = Text("同一提交正在处理中，请稍候查看结果。",
                     "The same submission is still being processed; check again in a moment.")


# --- Supplements and decisions ----------------------------------------------------------------

def check_supplement_request(message: str, fields: Sequence[str], materials: Sequence[str],
                             item_fields: Iterable[str]) -> None:
    """A supplement request says what is missing, and only names fields the item declares."""
    errors: dict[str, list[Text]] = {}
    if not message.strip():
        errors["message"] = [Text("请说明需要补充的内容。", "Say what the resident must supply.")]
    unknown = sorted(set(fields) - set(item_fields))
    if unknown:
        errors["fields"] = [Text(f"事项未声明这些字段：{', '.join(unknown)}",
                                 f"The item does not declare: {', '.join(unknown)}")]
    if not fields and not materials and "message" not in errors:
        errors["fields"] = [Text("请至少指明一个字段或材料。", "Name at least one field or material.")]
    if errors:
        raise ValidationFailed(Text("补正要求不完整。", "The supplement request is incomplete."),
                               errors=errors)


def supplement_request(message: str, fields: Iterable[str], materials: Iterable[str], *,
                       message_en: str | None = None) -> dict[str, Any]:
    """What a case keeps of a supplement request. The department may word it in English too
    (``message_en``), so that a resident who reads English is not left with Chinese only."""
    request: dict[str, Any] = {"message": message.strip()[:500], "fields": sorted(set(fields)),
                               "materials": sorted(set(materials))}
    if message_en and message_en.strip():
        request["message_en"] = message_en.strip()[:500]
    return request


def check_rejection_reason(reason: str) -> str:
    if len(reason.strip()) < 2:
        raise ValidationFailed(Text("请填写不予批准的理由。", "Give the reason for the rejection."),
                               errors={"reason": [Text("必填", "Required")]})
    return reason.strip()


def pick_fields(answers: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """Minimum necessary: only the answers an item declares (absent ones stay absent)."""
    return {key: answers[key] for key in keys if key in answers}
