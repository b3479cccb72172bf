"""What the resident reads of an application's history: one entry per change that matters to them.

The event log holds everything (callbacks received, dispatch retries, each push and SMS, staff
looks); staff read it whole. A resident reads what changed for them, in plain words, grouped by
item: the application as a whole first, then each case in form order, newest first inside a group.

Each entry carries a stable ``kind`` with its ``params`` (for a client that words it itself) and
its ``text`` in both languages (what the PWA shows). Pure rules: no IO.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bff.core.text import Text


@dataclass(frozen=True)
class EventRecord:
    """What the rule reads of an Event (plus who acted, as the resident may see it)."""

    id: int
    name: str
    occurred_at: datetime
    data: Mapping[str, Any]
    by_me: bool = False
    actor_name: str | None = None
    agent_name: str | None = None


@dataclass(frozen=True)
class CaseLabel:
    """A case as its group is titled: the item's name and its department's short name."""

    reference: str
    item: str
    title: Text
    department: Text


@dataclass(frozen=True)
class Entry:
    event_id: int
    occurred_at: datetime
    kind: str
    case: str | None
    params: dict[str, Any]
    text: Text
    by_me: bool = False
    actor_name: str | None = None
    agent_name: str | None = None


@dataclass
class Group:
    """The entries of one case (``case`` is its reference), or of the application as a whole (``None``)."""

    case: CaseLabel | None
    entries: list[Entry] = field(default_factory=list)


# Case moves the resident reads; the others (released from waiting, supplemented, processing,
# withdrawn with the whole application) are told by another entry or change nothing for them.
CASE_MOVES = {"accepted": "accepted", "supplement_requested": "supplement_requested", "approved": "approved",
              "rejected": "rejected", "not_possible": "not_possible"}
# Events about the whole application, or about a case, that the resident reads as they are.
EVENT_KINDS = {"application_submitted": "submitted", "application_withdrawn": "withdrawn",
               "application_completed": "completed", "case_dispatched": "delivered",
               "case_overdue": "overdue", "supplement_provided": "supplement_provided",
               "certificate_issued": "certificate_issued",
               "family_join_requested": "family_join_requested", "family_invited": "family_invited",
               "family_member_joined": "family_member_joined", "family_member_declined": "family_member_declined",
               "family_lead_handed_over": "family_lead_handed_over", "family_member_left": "family_member_left",
               "consents_requested": "consents_requested", "consent_answered": "consent_answered",
               "consents_agreed": "consents_agreed", "consents_declined": "consents_declined",
               "document_uploaded": "document_uploaded", "rating_given": "rated",
               "rating_followed_up": "rating_followed_up"}


def resident_kind(name: str, data: Mapping[str, Any]) -> str | None:
    """The resident's kind of an event, or ``None`` for what stays internal: callbacks, dispatch
    failures and retries, notifications, pushes and SMS, drafts, staff looks, a department's
    deadline drawing near (its own business until it has passed), and the like."""
    if name == "case_transitioned":
        return CASE_MOVES.get(str(data.get("to")))
    return EVENT_KINDS.get(name)


def _n_items(count: int) -> str:
    return "1 item" if count == 1 else f"{count} items"


def entry_text(kind: str, params: Mapping[str, Any], department: Text | None) -> Text:
    """The entry's words in both languages (``department``: the case's department, short name)."""
    dept = department or Text("部门", "The department")
    p = params
    words: dict[str, Text] = {
        "submitted": Text(f"申请已提交，共 {p.get('cases', 0)} 个事项", f"Application submitted: {_n_items(p.get('cases', 0))}"),
        "withdrawn": Text("申请已撤回", "Application withdrawn"),
        "completed": Text("全部事项已办结", "Every item is done") if p.get("status") == "completed"
        else Text("全部事项已有结果", "Every item has a decision"),
        "delivered": Text(f"已送达{dept.zh}", f"Sent to {dept.en}"),
        "accepted": Text(f"{dept.zh}已受理，办理时限开始计算", f"{dept.en} accepted it; the time limit starts"),
        "supplement_requested": Text(f"{dept.zh}请您补正：{p.get('message', '')}".rstrip("："),
                                     f"{dept.en} asks you to correct something: {p.get('message', '')}".rstrip(": ")),
        "supplement_provided": Text(f"已补正，等待{dept.zh}审核", f"Correction sent; {dept.en} reviews it"),
        "approved": Text("已办结，电子证照可查看", "Approved: the e-certificate is ready") if p.get("certificate")
        else Text("已办结", "Approved"),
        "certificate_issued": Text("电子证照已签发", "E-certificate issued"),
        "rejected": Text(f"{dept.zh}未予办理：{p.get('reason', '')}".rstrip("："),
                         f"{dept.en} did not approve it: {p.get('reason', '')}".rstrip(": ")),
        "not_possible": Text("无法办理：它所需的事项未办成", "Cannot go ahead: an item it needs was not done"),
        "overdue": Text("已超过办理时限，我们正在督办", "Past its time limit; we are following it up"),
        "family_join_requested": Text("有家人申请加入共同办理", "A family member asked to join"),
        "family_invited": Text("已邀请一位家人共同办理", "A family member was invited to help"),
        "family_member_joined": Text("一位家人加入了共同办理", "A family member joined"),
        "family_member_declined": Text("加入申请或邀请被谢绝", "A request or invitation to join was declined"),
        "family_lead_handed_over": Text("主办人已移交", "Someone else now leads this application"),
        "family_member_left": Text("一位家人退出了共同办理", "A family member left"),
        "consents_requested": Text(f"已请 {p.get('heirs', 0)} 位继承人确认", f"Heirs asked to consent: {p.get('heirs', 0)}"),
        "consent_answered": Text("一位继承人已同意", "An heir agreed") if p.get("decision") == "agree"
        else Text("一位继承人已答复", "An heir answered"),
        "consents_agreed": Text("继承人均已同意，继承事项继续办理", "Every heir agreed: the inheritance items go on"),
        "consents_declined": Text("继承事项改为凭继承权公证书办理",
                                  "The inheritance items now need the notarised certificate"),
        "document_uploaded": Text("已上传材料", "Document uploaded"),
        "rated": Text(f"您评价了这次服务：{p.get('score', '')} 分", f"You rated the service: {p.get('score', '')} of 5"),
        "rating_followed_up": Text("服务专员已就您的评价回访", "The service desk followed up on your rating"),
    }
    return words[kind]


# What an entry's params may carry from its event's data: counts, codes and the department's own
# words to the resident (a supplement's message, a rejection's reason) — never personal data.
def _params(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    if kind == "submitted":
        return {"cases": len(data.get("cases") or ())}
    if kind == "completed":
        return {"status": data.get("status")}
    if kind == "supplement_requested":
        return {"message": data.get("message") or ""}
    if kind == "rejected":
        return {"reason": data.get("reason") or data.get("message") or ""}
    if kind == "consents_requested":
        heirs = data.get("heirs")
        return {"heirs": len(heirs) if isinstance(heirs, list | tuple) else int(heirs or 0)}
    if kind == "consent_answered":
        return {"decision": data.get("decision"), "relation": data.get("relation")}
    if kind == "rated":
        return {"score": data.get("score")}
    return {}


def resident_entries(events: Iterable[EventRecord]) -> list[Entry]:
    """The resident's entries of ``events`` (any order), oldest first: internal events left out, a
    case sent to its department told once (not each retry or later message, and not at all once the
    department has acted on it), a certificate told with its approval."""
    entries: list[Entry] = []
    delivered: set[str] = set()  # cases told as sent, or past needing it
    approved: dict[str, int] = {}
    for event in sorted(events, key=lambda e: e.id):
        kind = resident_kind(event.name, event.data)
        case = event.data.get("case") if isinstance(event.data.get("case"), str) else None
        if kind is None or (kind == "delivered" and case in delivered):
            continue
        if case:
            delivered.add(case)
        if kind == "certificate_issued" and case in approved:  # told with the approval that issued it
            entries[approved[case]] = _with_certificate(entries[approved[case]])
            continue
        params = _params(kind, event.data)
        if kind == "approved" and case:
            approved[case] = len(entries)
        entries.append(Entry(event.id, event.occurred_at, kind, case, params, Text("", ""),
                             event.by_me, event.actor_name, event.agent_name))
    return entries


def _with_certificate(entry: Entry) -> Entry:
    return Entry(entry.event_id, entry.occurred_at, entry.kind, entry.case, {**entry.params, "certificate": True},
                 entry.text, entry.by_me, entry.actor_name, entry.agent_name)


def resident_timeline(events: Iterable[EventRecord], cases: Sequence[CaseLabel]) -> list[Group]:
    """The resident's timeline: the application's own group, then one group per case in ``cases``'
    order (groups with nothing to tell left out), each newest first, each entry worded."""
    by_reference = {case.reference: case for case in cases}
    groups: dict[str | None, Group] = {None: Group(None)}
    for case in cases:
        groups[case.reference] = Group(case)
    for entry in resident_entries(events):
        label = by_reference.get(entry.case or "")
        group = groups[label.reference if label else None]
        text = entry_text(entry.kind, entry.params, label.department if label else None)
        group.entries.append(Entry(entry.event_id, entry.occurred_at, entry.kind, label.reference if label else None,
                                   entry.params, text, entry.by_me, entry.actor_name, entry.agent_name))
    for group in groups.values():
        group.entries.reverse()
    return [group for group in groups.values() if group.entries]
