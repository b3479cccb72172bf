"""Which events tell the resident something, how urgently, and what a push may carry.

Pure rules (no IO): the notify service asks :func:`notification_for` about each event and
:func:`push_allowed_at` about quiet hours; the push adapter sends what :func:`push_payload`
builds. A payload carries a short title, the application number and a link — never a name,
ID number, address or mobile: the PWA fetches details after authentication.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from bff.core.clock import CHINA
from bff.core.text import Text

URGENCIES = ("very-low", "low", "normal", "high")
CHANNELS = ("push", "sms")
MAX_PAYLOAD_BYTES = 3000  # push services take ~4 KB of ciphertext; stay well below


@dataclass(frozen=True)
class Kind:
    """A kind of notification: its urgency, how long a push may wait, and its words."""

    name: str
    urgency: str
    ttl: int  # seconds a push service keeps an undelivered message
    title: Text
    action_needed: bool = False
    label: Text | None = None  # how the settings name it, where the title needs an event's data


HOUR, DAY = 3600, 86400
KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("submitted", "normal", 3 * DAY, Text("申请已提交", "Application submitted")),
    Kind("case_accepted", "normal", 3 * DAY, Text("部门已受理您的申请", "A department accepted your application")),
    Kind("supplement_requested", "high", 3 * DAY,
         Text("需要您补充材料", "Action needed: please add information"), action_needed=True),
    Kind("case_approved", "normal", 3 * DAY,
         Text("办理完成，电子证照已可查看", "Approved: your e-certificate is ready")),
    Kind("case_rejected", "high", 3 * DAY,
         Text("有一项办理未通过，请查看原因", "A part was not approved: see why"), action_needed=True),
    Kind("items_not_possible", "high", 3 * DAY,
         Text("有事项因前序事项未办成而无法办理，请查看原因", "Some items cannot go ahead because another was not done: see why"),
         action_needed=True),
    Kind("application_completed", "low", 7 * DAY,
         Text("全部办结，请为本次服务评价", "All done: please rate the service")),
    Kind("rating_followed_up", "low", 7 * DAY,
         Text("服务专员已就您的评价回访，欢迎再次评价", "The service desk followed up on your rating: you may rate again")),
    Kind("consent_requested", "high", 3 * DAY,
         Text("家人办理继承事项，需要您确认", "A relative asks for your consent to an inheritance"), action_needed=True),
    Kind("consent_closed", "normal", 3 * DAY,
         Text("继承事项的确认已结束", "The family's consent to the inheritance is settled")),
    Kind("consents_agreed", "normal", 3 * DAY,
         Text("家人均已同意，继承事项继续办理", "The family agreed: the inheritance items go on")),
    Kind("consents_declined", "high", 3 * DAY,
         Text("继承人未全部同意，请上传继承权公证书", "Not every heir agreed: please upload the notarised certificate"),
         action_needed=True),
    Kind("due_soon", "normal", DAY, Text("办理时限将到", "A time limit is near")),
    Kind("overdue", "normal", DAY, Text("办理已超时，我们正在督办", "A time limit has passed; we are following up")),
    Kind("new_sign_in", "high", HOUR,
         Text("您的账号有新的登录", "New sign-in to your account"), action_needed=True),
    Kind("join_requested", "normal", 3 * DAY,
         Text("有家人申请加入办理，请确认", "A family member asks to join this application"), action_needed=True),
    Kind("family_invited", "normal", 3 * DAY,
         Text("家人邀请您共同办理", "A family member invites you to handle an application together"),
         action_needed=True),
    Kind("lead_handed_over", "normal", 3 * DAY, Text("您已成为本件的主办人", "You now lead this application")),
    Kind("mandate_granted", "normal", 3 * DAY,
         Text("有家人或居民委托您代为办理", "Someone authorised you to act for them")),
    Kind("mandate_revoked", "normal", 3 * DAY,
         Text("一项委托您代办的授权已撤销", "An authorisation to act for someone was revoked")),
    # Proactive service: ``{questions}`` is the count of what is left to the resident (no names).
    Kind("offer_birth", "normal", 7 * DAY,
         Text("宝宝的出生信息已登记，出生一件事已为您备好，只需确认 {questions} 项",
              "Your baby's birth is registered: the birth bundle is ready, only {questions} to confirm"),
         label=Text("出生一件事已为您备好", "The birth bundle is ready for you")),
    Kind("offer_after_death", "normal", 7 * DAY,
         Text("亲人的离世信息已登记，身后一件事已为您备好，只需确认 {questions} 项",
              "Your relative's death is registered: the after-death bundle is ready, only {questions} to confirm"),
         label=Text("身后一件事已为您备好", "The after-death bundle is ready for you")),
    Kind("offer_retirement", "normal", 7 * DAY,
         Text("您下月到达退休年龄，退休一件事已为您备好，只需确认 {questions} 项",
              "You reach retirement age next month: the retirement bundle is ready, only {questions} to confirm"),
         label=Text("退休一件事已为您备好", "The retirement bundle is ready for you")),
    Kind("offer_automatic", "normal", 7 * DAY,
         Text("有一项待遇可免申即享，同意后自动办理", "A benefit can be granted without applying: agree and it is done")),
    Kind("automatic_granted", "normal", 7 * DAY,
         Text("已为您免申办理一项待遇，可查看依据或提出异议",
              "A benefit was granted to you without applying: see why, or object")),
    Kind("objection_reviewed", "normal", 7 * DAY,
         Text("您对免申办理提出的异议已处理", "Your objection to an automatic grant was reviewed")),
)}
OFFER_NOTIFICATION_KINDS = {"birth": "offer_birth", "after-death": "offer_after_death",
                            "retirement": "offer_retirement", "automatic": "offer_automatic"}
PROACTIVE_KINDS = frozenset({*OFFER_NOTIFICATION_KINDS.values(), "automatic_granted", "objection_reviewed"})

CASE_TRANSITION_KINDS = {"accepted": "case_accepted", "supplement_requested": "supplement_requested",
                         "approved": "case_approved", "rejected": "case_rejected"}
# A department's time limit drawing near is the department's to watch (the workbench flags the case
# due_soon); the resident hears of a real delay only, once the due date has passed (case_overdue).
EVENT_KINDS = {"application_submitted": "submitted", "application_completed": "application_completed",
               "case_overdue": "overdue", "login": "new_sign_in",
               "rating_followed_up": "rating_followed_up", "family_join_requested": "join_requested",
               "family_invited": "family_invited", "family_lead_handed_over": "lead_handed_over",
               "items_not_possible": "items_not_possible",
               "mandate_received": "mandate_granted", "mandate_received_revoked": "mandate_revoked",
               "consent_requested": "consent_requested", "consent_closed": "consent_closed",
               "consents_agreed": "consents_agreed", "consents_declined": "consents_declined",
               "automatic_granted": "automatic_granted", "automatic_reviewed": "objection_reviewed"}
# Kinds no event makes any more, kept so that the entries made before still read and resend; not
# offered among the preferences.
RETIRED_KINDS = frozenset({"due_soon"})
OFFERED_KINDS = tuple(name for name in KINDS if name not in RETIRED_KINDS)
# Heirs are not (yet) part of the application: their notifications open the consent page instead.
HEIR_KINDS = frozenset({"consent_requested", "consent_closed"})
# The agent hears of a mandate given or taken back; the payload names nobody (not the principal either).
MANDATE_KINDS = frozenset({"mandate_granted", "mandate_revoked"})
NOTIFIABLE_EVENTS = frozenset({*EVENT_KINDS, "case_transitioned", "offer_made"})
# What the whole family handling an application is told (each by their own preferences), not only
# the person the event is about: the application's progress, and a relative asking to join.
FAMILY_KINDS = frozenset({"submitted", "case_accepted", "supplement_requested", "case_approved", "case_rejected",
                          "application_completed", "overdue", "join_requested",
                          "items_not_possible"})


def notification_kind(event_name: str, data: Mapping[str, Any]) -> str | None:
    """The kind of notification an event triggers, or ``None`` when it tells the resident nothing."""
    if event_name == "case_transitioned":
        return CASE_TRANSITION_KINDS.get(str(data.get("to")))
    if event_name == "offer_made":
        return OFFER_NOTIFICATION_KINDS.get(str(data.get("kind")))
    return EVENT_KINDS.get(event_name)


# What each kind says when it knows the item and its department ({item}（{dept}）) or the bundle: the
# resident sees at a glance what happened to what, and what to do. Item and department names are
# catalog words, not personal data, so a push may carry them.
_CASE_TITLES = {
    "case_accepted": ("{item}（{dept}）已受理", "{item} ({dept}): accepted"),
    "supplement_requested": ("{item}（{dept}）需要您补正信息，请查看",
                             "{item} ({dept}): please correct or add information"),
    "case_approved": ("{item}（{dept}）已办结，电子证照可查看", "{item} ({dept}) approved: your e-certificate is ready"),
    "case_rejected": ("{item}（{dept}）未予办理，请查看原因", "{item} ({dept}) was not approved: see why"),
    "overdue": ("{item}（{dept}）已超过办理时限，我们正在督办", "{item} ({dept}) is past its time limit: we are following up"),
}
_BUNDLE_TITLES = {
    "submitted": ("{bundle}已提交，各部门将分别办理", "{bundle} submitted: each department will handle its part"),
    "application_completed": ("{bundle}全部办结，请为本次服务评价", "{bundle}: all done, please rate the service"),
}


BUNDLE_KINDS = frozenset(_BUNDLE_TITLES)  # kinds that name the bundle


def title_for(kind: str, *, item: Text | None = None, department: Text | None = None,
              bundle: Text | None = None, data: Mapping[str, Any] | None = None) -> Text:
    """The words of a notification: with the item and its department, or the bundle, when the kind
    is about one and they are known; else the kind's own title (:func:`title_of`, with the event's
    ``data``)."""
    if kind in _CASE_TITLES and item is not None and department is not None:
        zh, en = _CASE_TITLES[kind]
        return Text(zh.format(item=item.zh, dept=department.zh), en.format(item=item.en, dept=department.en))
    if kind in _BUNDLE_TITLES and bundle is not None:
        zh, en = _BUNDLE_TITLES[kind]
        return Text(zh.format(bundle=bundle.zh), en.format(bundle=bundle.en))
    return title_of(kind, data or {})


def title_of(kind: str, data: Mapping[str, Any]) -> Text:
    """A kind's title, with the count an offer leaves to the resident put in (without one: its label)."""
    spec = KINDS[kind]
    title = spec.title
    if "{questions}" not in title.zh:
        return title
    if "questions" not in data:
        return spec.label or title
    count = str(data.get("questions", ""))
    return Text(title.zh.replace("{questions}", count), title.en.replace("{questions}", count))


def is_notifiable(event_name: str, data: Mapping[str, Any]) -> bool:
    return notification_kind(event_name, data) is not None


def link_for(kind: str, number: str | None, data: Mapping[str, Any] | None = None) -> str:
    """Where a tap on the notification opens: a PWA route (same origin; the page asks for details)."""
    if kind in PROACTIVE_KINDS:  # the offer itself, or the automatic grants with their basis
        offer = (data or {}).get("offer")
        return f"/app/offers/{offer}" if offer else "/app/offers"
    if kind == "new_sign_in":
        return "/app/settings"  # "my sessions", with a way to end the new one
    if kind in MANDATE_KINDS:  # the agent chooses whom they act for where their applications are listed
        return "/app/applications"
    if not number:
        return "/app/inbox"
    if kind == "family_invited":  # not theirs to read until they accept: the page to answer it
        return f"/app/join/{number}"
    if kind in HEIR_KINDS:
        return f"/app/consents/{number}"
    if kind in ("application_completed", "rating_followed_up"):
        return f"/app/applications/{number}#rating"
    return f"/app/applications/{number}"


def topic_for(kind: str, application_id: int | None) -> str:
    """RFC 8030 Topic (≤ 32 URL-safe chars): a newer message on a topic replaces a pending one."""
    if kind == "new_sign_in":
        return "sign-in"
    return f"application-{application_id}" if application_id is not None else kind.replace("_", "-")


# --- Preferences ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Preferences:
    """A resident's choices; ``quiet_hours`` are China-time ``(start, end)``, e.g. 22:00–07:00."""

    kinds: frozenset[str] = frozenset(KINDS)
    channels: frozenset[str] = frozenset({"push", "sms"})
    quiet_hours: tuple[time, time] | None = None


DEFAULT_PREFERENCES = Preferences()


def wants(preferences: Preferences, kind: str) -> bool:
    """Security notices (new sign-in) cannot be switched off; everything else can."""
    return kind == "new_sign_in" or kind in preferences.kinds


def channels_to_use(preferences: Preferences, has_push_devices: bool) -> list[str]:
    """Push to the resident's devices; SMS only for people push cannot reach (no device, or push off)."""
    push = "push" in preferences.channels and has_push_devices
    sms = "sms" in preferences.channels and not push
    return [name for name, chosen in (("push", push), ("sms", sms)) if chosen]


def in_quiet_hours(moment: datetime, quiet_hours: tuple[time, time] | None) -> bool:
    if quiet_hours is None:
        return False
    start, end = quiet_hours
    local = moment.astimezone(CHINA).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # spans midnight


def push_allowed_at(now: datetime, preferences: Preferences, urgency: str) -> datetime:
    """When an alert may go out: now, or the end of quiet hours. High urgency ignores them."""
    if urgency == "high" or not in_quiet_hours(now, preferences.quiet_hours):
        return now
    end = preferences.quiet_hours[1]  # type: ignore[index]
    local = now.astimezone(CHINA)
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate.astimezone(now.tzinfo)


def parse_quiet_hours(value: Mapping[str, str] | None) -> tuple[time, time] | None:
    """``{"start": "22:00", "end": "07:00"}`` → times; ``None`` or equal times mean no quiet hours."""
    if not value:
        return None
    start, end = time.fromisoformat(value["start"]), time.fromisoformat(value["end"])
    return None if start == end else (start, end)


def preferences_from(kinds: Iterable[str] | None, channels: Iterable[str] | None,
                     quiet_hours: Mapping[str, str] | None) -> Preferences:
    return Preferences(kinds=frozenset(KINDS if kinds is None else kinds) & frozenset(KINDS),
                       channels=frozenset(CHANNELS if channels is None else channels) & frozenset(CHANNELS),
                       quiet_hours=parse_quiet_hours(quiet_hours))


# --- What leaves the house --------------------------------------------------------------------

def push_payload(*, notification_id: int, kind: str, number: str | None, language: str,
                 title: Text | None = None, url: str | None = None) -> bytes:
    """The encrypted push's plaintext: a short title, the application number and a link only
    (``title`` and ``url``: the inbox entry's, when it has its own)."""
    spec = KINDS[kind]
    body = {"id": notification_id, "kind": kind, "title": (title or spec.title).in_language(language),
            "number": number, "url": url or link_for(kind, number), "urgent": spec.action_needed}
    encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    assert len(encoded) <= MAX_PAYLOAD_BYTES
    return encoded


def sms_text(kind: str, number: str | None, language: str, public_url: str, title: Text | None = None) -> str:
    """An SMS says as little as a push: the title, the number and a link to sign in."""
    words = (title or KINDS[kind].title).in_language(language)
    reference = f" {number}" if number else ""
    return f"【一件事】{words}{reference} {public_url.rstrip('/')}{link_for(kind, number)}"


def should_prune(*, failures: int, last_contact_at: datetime, now: datetime, silence: timedelta,
                 max_failures: int) -> bool:
    """Drop a device that failed too often, or that nobody has heard from for a long time.

    Some push services answer 201 for endpoints long dead (WebKit bug 249766), so a device
    is also dropped when neither a push succeeded nor the browser re-registered it (posted
    the same subscription again) within ``silence``.
    """
    return failures >= max_failures or now - last_contact_at > silence


# A device's last success is what pruning reads (silent for months): it is written at most this
# often, not on every push, so a busy device costs no UPDATE per notification.
SUCCESS_MARK_EVERY = timedelta(hours=6)


def success_recorded_recently(*, failures: int, last_success_at: datetime | None, now: datetime) -> bool:
    """Whether a new success need not be written to the device: one is recorded within
    ``SUCCESS_MARK_EVERY`` and nothing failed since (a failure count must still be reset)."""
    return failures == 0 and last_success_at is not None and now - last_success_at < SUCCESS_MARK_EVERY
