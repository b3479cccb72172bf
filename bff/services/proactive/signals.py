"""Life-event signals in: stored once, applied in order per person, turned into offers and grants.

:func:`receive_signal` is the one path every signal takes (the poller of a source's feed, the demo
world's seeding, tests): in one transaction it stores the signal (a redelivered id changes nothing),
marks one older than what was applied for the person as stale, and makes the offers (or, for an
age reached, the automatic grants the person consented to and offers of the others), each with
its event. Port calls come first, so a source that cannot answer leaves nothing half done: the
poller reads the same signal again next time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bff.core import proactive as rules
from bff.core.catalog import Catalog, default_catalog
from bff.core.ports import LifeEventSignal, Person, PrefillSources, SourceOfSignals
from bff.services.events import record_event
from bff.services.proactive.common import facts_about, questions_for, settings_of, subject_for
from bff.services.proactive.grants import grant_if_due
from bff.store import Session
from bff.store.crypto import lookup_hash
from bff.store.models import User, utcnow
from bff.store.proactive_models import LifeSignal, Offer, SignalCursor
from bff.store.queries import proactive as store

POLL_LIMIT = 200


def receive_signal(session: Session, sources: PrefillSources, signal: LifeEventSignal, *, source: str,
                   today: date, catalog: Catalog | None = None) -> dict[str, Any]:
    """Apply one signal (committed). Returns ``{"outcome": applied|stale|duplicate, "offers": n, "grants": n}``."""
    catalog = catalog or default_catalog()
    person = sources.population.person(signal.id_number)
    relatives = sources.population.relatives(signal.id_number) if signal.kind == "death" and person else []
    person_hash = lookup_hash(signal.id_number.upper())
    last = store.last_applied_sequence(session, person_hash)
    outcome = "applied" if rules.in_order(last, signal.sequence) else "stale"
    row = LifeSignal(source=source, signal_id=signal.id, kind=signal.kind, person_hash=person_hash,
                     person_id_number=signal.id_number.upper(), sequence=signal.sequence, occurred_on=signal.occurred_on,
                     record=signal.record, age=signal.age, outcome=outcome)
    if not store.add_once(session, row):
        session.rollback()
        return {"outcome": "duplicate", "offers": 0, "grants": 0}
    made, granted = (0, 0)
    if row.outcome == "applied":
        if signal.kind == "age":
            made, granted = _automatic(session, catalog, sources, signal, person, row, today)
        else:
            made = _bundle_offers(session, catalog, sources, signal, person, relatives, row)
    row.offers = made
    subject = store.users_by_id_hashes(session, [person_hash]).get(person_hash)
    record_event(session, "signal_received", subject_user_id=subject.id if subject else None, signal=row.id,
                 kind=signal.kind, sequence=signal.sequence, outcome=row.outcome, offers=made)
    session.commit()
    return {"outcome": row.outcome, "offers": made, "grants": granted}


def _bundle_offers(session: Session, catalog: Catalog, sources: PrefillSources, signal: LifeEventSignal,
                   person: Person | None, relatives: list[Any], row: LifeSignal) -> int:
    bundle = catalog.bundle(rules.BUNDLE_OF_SIGNAL[signal.kind])
    recipients = rules.recipients_of(signal, person, relatives)
    users = store.users_by_id_hashes(session, [lookup_hash(r.id_number) for r in recipients])
    made = 0
    for recipient in recipients:
        subject = subject_for(sources, bundle, recipient.id_number, signal, person) if person else None
        user = users.get(lookup_hash(recipient.id_number))
        if subject is None or not _wanted(session, user, bundle.code, subject.ref):
            continue
        questions = questions_for(catalog, sources, bundle, recipient.id_number, subject)
        made += _offer(session, row, user, recipient, kind=bundle.code, bundle=bundle.code, item=None,
                       subject_ref=subject.ref, questions=questions, signal=signal)
    return made


def _wanted(session: Session, user: User | None, bundle: str, subject_ref: str) -> bool:
    """Not when the person switched this kind off, nor when their own application of it exists."""
    if user is None:
        return True
    if bundle in settings_of(session, user.id).offers_off:
        return False
    # a "self" bundle (retirement) exists once per person; the others once per subject
    return not any(subject_ref in ("self", a.subject_ref)
                   for a in store.own_applications_of_bundle(session, user.id, bundle))


def _automatic(session: Session, catalog: Catalog, sources: PrefillSources, signal: LifeEventSignal,
               person: Person | None, row: LifeSignal, today: date) -> tuple[int, int]:
    """An age reached: each automatic item now due is granted (consented) or offered (not yet)."""
    if person is None or person.died is not None:
        return 0, 0
    user = store.users_by_id_hashes(session, [row.person_hash]).get(row.person_hash)
    settings = settings_of(session, user.id if user else None)
    automatic = [item for item in catalog.items.values() if item.automatic is not None]
    facts = facts_about(catalog, sources, person, signal.occurred_on) if automatic else {}
    made = granted = 0
    for item, _basis in rules.automatic_items_due(automatic, facts):
        if user is not None and item.code in settings.automatic_items:
            granted += grant_if_due(session, catalog, sources, user.id, person, item, signal.occurred_on,
                                    signal_row_id=row.id, facts=facts) is not None
        elif user is None or "automatic" not in settings.offers_off:
            made += _offer(session, row, user, rules.Recipient(person.id_number, "self"), kind="automatic", bundle=None,
                           item=item.code, subject_ref=f"item:{item.code}", questions=[], signal=signal)
    return made, granted


def _offer(session: Session, row: LifeSignal, user: User | None, recipient: rules.Recipient, *, kind: str,
           bundle: str | None, item: str | None, subject_ref: str, questions: list[str], signal: LifeEventSignal) -> int:
    """Add one offer unless this person had one of this kind about this subject (then 0)."""
    offer = Offer(signal_id=row.id, kind=kind, bundle=bundle, item=item, recipient_hash=lookup_hash(recipient.id_number),
                  recipient_user_id=user.id if user else None, relation=recipient.relation, subject_ref=subject_ref,
                  subject_name=recipient.subject_name, occurred_on=signal.occurred_on, questions=questions,
                  expires_on=rules.expires_on(kind, signal.occurred_on), created_at=utcnow())
    if not store.add_once(session, offer):
        return 0
    extra = {"bundle": bundle} if bundle else {"item": item}
    record_event(session, "offer_made", subject_user_id=user.id if user else None, offer=offer.id, kind=kind,
                 questions=len(questions), **extra)
    return 1


def poll_source(session: Session, feed: SourceOfSignals, sources: PrefillSources, *, today: date,
                limit: int = POLL_LIMIT) -> dict[str, int]:
    """Read the feed from where the last read ended and apply what it returns; the cursor moves only
    after every signal of the page is applied (a failure reads the page again: signals are idempotent)."""
    cursor_row = store.signal_cursor(session, feed.name)
    page = feed.signals_after(cursor_row.cursor if cursor_row else None, limit)
    counts = {"applied": 0, "stale": 0, "duplicate": 0, "offers": 0, "grants": 0}
    for signal in page.signals:
        outcome = receive_signal(session, sources, signal, source=feed.name, today=today)
        counts[outcome["outcome"]] += 1
        counts["offers"] += outcome["offers"]
        counts["grants"] += outcome["grants"]
    cursor_row = store.signal_cursor(session, feed.name, lock=True) or SignalCursor(source=feed.name)
    cursor_row.cursor, cursor_row.polled_at = page.cursor, utcnow()
    session.add(cursor_row)
    session.commit()
    return counts



def signal_feed(config: Any, catalog: Catalog | None = None) -> SourceOfSignals:
    """The configured feed (``SIGNALS_BACKEND``), asked for age signals at the ages automatic items start at."""
    from bff.adapters.signals import build_signal_source

    return build_signal_source(config, rules.ages_watched((catalog or default_catalog()).items.values()))
