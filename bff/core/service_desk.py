"""Rules of the service desk (客服): reasons for access, search kinds, timeline kinds (pure).

A staff member never looks at a resident without saying why: a call ticket number, or a
purpose from a fixed list plus a short free text. The reason is shown to the resident in
their "who viewed my data" list, so it must not itself carry personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bff.core.applications import is_valid_application_number
from bff.core.errors import ValidationFailed
from bff.core.idnumber import is_valid_id_number
from bff.core.text import Text

PURPOSES: dict[str, Text] = {
    "progress_enquiry": Text("来电咨询办理进度", "Caller asks about progress"),
    "help_to_apply": Text("协助填报或补正材料", "Help to apply or supplement"),
    "complaint": Text("投诉处理", "Complaint handling"),
    "rating_follow_up": Text("差评回访", "Follow-up of a rating"),
    "overdue_follow_up": Text("超期督办", "Overdue case follow-up"),
    "account_security": Text("账号安全协助", "Account security help"),
    "notification_problem": Text("消息未收到", "Notification not received"),
}
TICKET_PURPOSE = Text("来电工单", "Call ticket")

TICKET = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,31}$")
TEXT_MIN, TEXT_MAX = 4, 200
# A reason is shown to the resident and kept in the audit trail: no ID numbers or mobiles in it.
_LOOKS_PERSONAL = re.compile(r"\d{15}|\d{17}[\dXx]|1\d{10}")

REVEALABLE_FIELDS = ("id_number", "mobile")
GRANT_SECONDS = 15 * 60


@dataclass(frozen=True)
class Reason:
    """Why a staff member opens a resident: a ticket, or a purpose with text (or both)."""

    ticket: str | None
    purpose: str | None
    text: str

    def event_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"reason": self.text}
        if self.ticket:
            data["ticket"] = self.ticket
        if self.purpose:
            data["purpose"] = self.purpose
        return data


def check_reason(ticket: str | None, purpose: str | None, text: str | None) -> Reason:
    """The reason, or :class:`ValidationFailed` with a message on each field at fault."""
    ticket = (ticket or "").strip().upper() or None
    purpose = (purpose or "").strip() or None
    text = " ".join((text or "").split())
    errors: dict[str, list[Text]] = {}
    if ticket and not TICKET.match(ticket):
        errors["ticket"] = [Text("工单号格式不正确（4–32位字母、数字或连字符）。",
                                 "A ticket number is 4–32 letters, digits or hyphens.")]
    if purpose and purpose not in PURPOSES:
        errors["purpose"] = [Text("请从列表中选择查看目的。", "Choose a purpose from the list.")]
    if purpose and not ticket and len(text) < TEXT_MIN:
        errors["text"] = [Text("请简要说明查看原因（至少4个字）。", "Say briefly why (at least 4 characters).")]
    if len(text) > TEXT_MAX:
        errors["text"] = [Text("说明不能超过200个字。", "Keep the explanation under 200 characters.")]
    if _LOOKS_PERSONAL.search(text):
        errors["text"] = [Text("说明中请勿填写身份证号或手机号。", "Do not write ID or mobile numbers in the reason.")]
    if not ticket and not purpose and not errors:
        errors["reason"] = [Text("查看居民信息前，请填写来电工单号，或选择查看目的并说明原因。",
                                 "Before opening a resident, give a call ticket number, "
                                 "or choose a purpose and say why.")]
    if errors:
        raise ValidationFailed(Text("请说明查看原因。", "Give a reason for opening this resident."),
                               code="reason_required", errors=errors)
    return Reason(ticket=ticket, purpose=purpose, text=text)


def describe_reason(purpose: str | None, ticket: str | None) -> Text:
    """The purpose as the resident reads it in "who viewed my data"."""
    if purpose in PURPOSES:
        return PURPOSES[purpose]
    return TICKET_PURPOSE if ticket else Text("", "")


# --- Search -----------------------------------------------------------------------------------

SEARCH_KINDS = ("application", "id_number", "mobile")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def search_kind(query: str) -> str:
    """What a staff member typed: an application number, an ID number, or a mobile number."""
    value = query.strip().upper()
    if is_valid_application_number(value):
        return "application"
    if is_valid_id_number(value):
        return "id_number"
    if _MOBILE.match(value):
        return "mobile"
    raise ValidationFailed(
        Text("请输入完整的申请编号、身份证号或手机号。",
             "Enter a whole application number, ID number or mobile number."),
        code="search_query_invalid",
        errors={"query": [Text("只支持完整号码的精确查找。", "Only exact, whole numbers are searched.")]})


def normalise_query(query: str) -> str:
    return query.strip().upper()


# --- Timeline kinds ---------------------------------------------------------------------------

KIND_GROUPS: dict[str, frozenset[str]] = {
    "logins": frozenset({"login", "logout", "session_revoked", "qr_ticket_created", "qr_ticket_scanned",
                         "qr_ticket_approved", "qr_ticket_denied", "qr_ticket_consumed", "profile_updated",
                         "mobile_code_requested", "mobile_change_refused", "mobile_changed"}),
    "drafts": frozenset({"draft_started", "draft_saved", "draft_deleted"}),
    "submissions": frozenset({"application_submitted", "application_withdrawn", "application_completed"}),
    "cases": frozenset({"case_dispatched", "case_dispatch_failed", "case_transitioned", "case_due_soon",
                        "case_overdue", "case_redelivered", "certificate_issued", "callback_received"}),
    "notifications": frozenset({"notification_created", "push_delivered", "push_failed", "sms_sent"}),
    "supplements": frozenset({"supplement_provided"}),
    "ratings": frozenset({"rating_given"}),
    "staff": frozenset({"staff_viewed", "staff_revealed", "staff_note_added", "staff_escalated",
                        "staff_resent_notification", "staff_ended_sessions"}),
    "mandates": frozenset({"mandate_granted", "mandate_refused", "mandate_revoked", "mandate_received",
                           "mandate_received_revoked", "acting_started", "acting_stopped"}),
}
KIND_PREFIXES = {"notification_": "notifications", "push_": "notifications", "sms_": "notifications",
                 "qr_": "logins", "staff_": "staff", "rating": "ratings", "supplement": "supplements",
                 "mandate_": "mandates", "acting_": "mandates"}
KINDS = (*KIND_GROUPS, "other")


def kind_of(name: str) -> str:
    """The timeline group of an event name (events added later fall into a group by prefix)."""
    for kind, names in KIND_GROUPS.items():
        if name in names:
            return kind
    for prefix, kind in KIND_PREFIXES.items():
        if name.startswith(prefix):
            return kind
    return "other"


def check_kinds(kinds: list[str]) -> list[str]:
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValidationFailed(Text("未知的筛选类别。", "Unknown timeline filter."), code="unknown_kind",
                               errors={"kinds": [Text(f"可选：{'、'.join(KINDS)}", f"One of: {', '.join(KINDS)}")]})
    return kinds


# Staff views and reveals: what the resident sees in "who viewed my data".
ACCESS_LOG_EVENTS = ("staff_viewed", "staff_revealed")
