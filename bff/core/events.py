"""The catalogue of Events: each name with the keys its data must carry.

Recording an event with a missing or unexpected key raises, so the timeline,
the audit trail and the SSE stream can rely on every event's shape. Data never
carries plaintext ID numbers, mobiles or addresses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# name -> (required keys, optional keys)
SCHEMAS: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def declare(name: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> None:
    SCHEMAS[name] = (frozenset(required), frozenset(optional))


# Identity
declare("login", ("method",), ("device", "place", "issuer"))
declare("logout", (), ("device",))
declare("session_revoked", ("session",), ("by",))
declare("qr_ticket_created", ("ticket",), ("kind", "kiosk", "device", "place"))
declare("kiosk_enrolled", ("kiosk", "hall", "device"))
declare("qr_ticket_scanned", ("ticket",), ("device", "place"))
declare("qr_ticket_approved", ("ticket",), ("device", "place"))
declare("qr_ticket_denied", ("ticket",), ("device", "place"))
declare("qr_ticket_consumed", ("ticket",), ("device", "place"))
declare("profile_updated", ("fields",))
# The account's mobile number changed through an SMS code (the numbers themselves are never in events).
declare("mobile_code_requested", (), ("language",))
declare("mobile_change_refused", ("reason",), ("tries",))
declare("mobile_changed", ("method",))
# Applications
declare("draft_started", ("bundle", "number"), ("subject",))
declare("draft_saved", ("version",), ("fields",))
declare("draft_deleted", ("number",))
declare("application_submitted", ("number", "bundle", "cases"), ("channel",))
declare("application_withdrawn", ("number",), ("reason",))
declare("application_completed", ("number", "status"))
declare("case_dispatched", ("case", "department"), ("attempt", "gateway"))
declare("case_dispatch_failed", ("case", "department", "attempt"), ("error", "dead"))
declare("case_transitioned", ("case", "department", "from", "to"),
        ("officer", "message", "reason", "fields", "materials", "source", "external_id"))
# Cases ended as not possible because a case they need ended without approval (one event per cascade).
declare("items_not_possible", ("number", "because", "cases"))
declare("case_due_soon", ("case", "department", "due"))
declare("case_overdue", ("case", "department", "due"))
# Sent to its department again: it did not know the case (reconciliation), or an operator asked.
declare("case_redelivered", ("case", "department", "reason"))
declare("supplement_provided", ("case",), ("fields", "materials"))
# The family of an application; ``member`` is the application_members row acted on.
declare("family_join_requested", ("number", "member"))
declare("family_invited", ("number", "member"))
declare("family_member_joined", ("number", "member"))
declare("family_member_declined", ("number", "member"))
declare("family_lead_handed_over", ("number", "member"))
declare("family_member_left", ("number", "member"))
declare("family_access_refused", ("number", "action"))  # not related to the subject in the registry
declare("certificate_issued", ("case", "certificate", "kind"))
declare("callback_received", ("case", "department", "event_id"), ("status", "duplicate", "stale"))
# Heirs' consent and documents (no names, ID numbers or mobiles: the relation and ids only)
declare("consents_requested", ("number", "heirs", "deadline"), ("items",))
declare("consent_requested", ("number",), ("consent",))
declare("consent_answered", ("number", "consent", "decision", "relation"), ("undertaking",))
declare("consent_refused", ("consent",), ("reason",))  # someone not asked tried to answer
declare("consent_closed", ("number", "outcome"))
declare("consents_agreed", ("number",))
declare("consents_declined", ("number", "reason"), ("upload",))
declare("consent_texted", ("consent",))
declare("document_uploaded", ("number", "code", "upload", "size"), ("released",))
declare("document_refused", ("number", "code", "reason"))
declare("document_viewed", ("upload", "code"), ("case", "department", "by"))
# Notifications
declare("notification_created", ("notification", "kind"), ("number",))
declare("push_delivered", ("notification", "device"))
# ``status`` (the push service's HTTP status, 0 without an answer) and ``reason`` (a word:
# bff.adapters.push.sender.PushResult.reason) are for staff only: the resident is told "not
# delivered", never how (RESIDENT_HIDDEN). Older rows may carry ``error``, hidden too.
declare("push_failed", ("notification", "device", "status", "reason"))
declare("sms_sent", ("notification",))
# ``comment`` is the resident's own text (checked free of ID and mobile numbers); ``revises``
# is the id of the earlier rating a re-rating replaces (one re-rating after a bad one).
declare("rating_given", ("number", "score"), ("tags", "case", "comment_length", "comment", "revises"))
declare("rating_follow_up_needed", ("number", "score", "due_on"), ("rating",))
declare("rating_followed_up", ("number", "rating"), ("access",))  # the service desk called back
# Service desk
# ``access`` is the id of the staff_viewed event that opened the resident (with its reason);
# ``view`` says what was looked at: profile, timeline, application, notes.
declare("staff_searched", ("kind", "results"))
declare("staff_viewed", ("reason",), ("purpose", "ticket", "application", "view", "access"))
declare("staff_revealed", ("field", "reason"), ("purpose", "ticket", "application", "access"))
declare("staff_note_added", ("note",), ("application", "access"))
declare("staff_escalated", ("case", "department"), ("note", "access", "application"))
declare("staff_resent_notification", ("notification",), ("access",))
declare("staff_ended_sessions", ("count",), ("access",))
# Mandates (委托代办): granted, refused (audited), revoked; an agent starting and stopping acting
# for the principal (the events' subject). ``reason`` of acting_stopped: by_agent or mandate_ended.
declare("mandate_granted", ("mandate", "agent_kind", "scope", "expires_on"), ("bundle", "application"))
declare("mandate_refused", ("agent_kind", "reason"))
declare("mandate_revoked", ("mandate",))
# The same grant and revocation as the agent is told them (the events' subject is the agent).
declare("mandate_received", ("mandate", "scope", "expires_on"), ("bundle", "application"))
declare("mandate_received_revoked", ("mandate",))
declare("acting_started", ("mandates",))
declare("acting_stopped", ("reason",))
# Proactive service (无感智办 / 免申即享). No names or ID numbers: ids, kinds, counts, item codes and the
# facts a grant rested on (an age, whether a card is held).
declare("signal_received", ("signal", "kind", "sequence", "outcome"), ("offers",))
declare("offer_made", ("offer", "kind", "questions"), ("bundle", "item"))
declare("offer_declined", ("offer", "kind"))
declare("offer_accepted", ("offer", "kind"), ("number",))
declare("automatic_granted", ("grant", "item", "basis", "reference"))
declare("automatic_objected", ("grant", "item"))
declare("automatic_reviewed", ("grant", "item", "outcome"))
declare("proactive_settings_saved", ("offers_off", "automatic_items"))

# Any event recorded while an agent acts for someone carries the principal's user id here
# (bff.services.events.record_event): the actor is the agent.
ON_BEHALF_OF = "on_behalf_of"


# Keys of an event's data that the resident's own views (live events, polling, an application's
# timeline) never show: how a push failed could tell a resident what the server can reach.
RESIDENT_HIDDEN: dict[str, frozenset[str]] = {
    "push_failed": frozenset({"status", "reason", "error"}),
}


def resident_data(name: str, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the resident may see of an event's data."""
    hidden = RESIDENT_HIDDEN.get(name, frozenset())
    return {key: value for key, value in (data or {}).items() if key not in hidden}


class EventSchemaError(ValueError):
    pass


def check_event(name: str, data: Mapping[str, Any]) -> None:
    """Raise :class:`EventSchemaError` unless ``data`` fits the declared schema of ``name``."""
    if name not in SCHEMAS:
        raise EventSchemaError(f"undeclared event {name!r}")
    required, optional = SCHEMAS[name]
    missing = required - data.keys()
    unexpected = data.keys() - required - optional - {ON_BEHALF_OF}
    if missing or unexpected:
        raise EventSchemaError(f"event {name!r}: missing {sorted(missing)}, unexpected {sorted(unexpected)}")
