"""Seeding the demo world of the embedded default."""

from __future__ import annotations

from typing import Any

from bff.core.clock import china_today
from bff.core.ports import PrefillSources
from bff.demo import DEMO_KIOSK_DEVICE, DEMO_KIOSK_HALL, demo_kiosk_credential, personas
from bff.services.identity import enrol_kiosk
from bff.services.proactive.signals import poll_source, signal_feed
from bff.services.users import upsert_user_from_claims
from bff.store import Session


def seed_demo_world(session: Session, *, issuer: str) -> int:
    """Every persona who can sign in exists as a user, keyed as their first login would key them."""
    people = [who for who in personas() if who.can_log_in]
    for who in people:
        upsert_user_from_claims(session, issuer, who.key, {
            "name": who.name, "id_number": who.id_number, "phone_number": who.mobile,
            "roles": list(who.roles), "department": who.department,
        }, logging_in=False)
    session.commit()
    return len(people)


def seed_demo_kiosk(session: Session, *, secret_key: str) -> str:
    """Enrol the demo world's hall kiosk (once); returns its credential for the kiosk's setup link."""
    credential = demo_kiosk_credential(secret_key)
    enrol_kiosk(session, hall=DEMO_KIOSK_HALL, device_name=DEMO_KIOSK_DEVICE, enrolled_by=None, credential=credential)
    return credential


def seed_demo_offers(session: Session, config: Any, sources: PrefillSources) -> dict[str, int]:
    """The demo world's live offers (the birth to 张伟 and 王芳, the death to 陈国华's family, 李建国's
    retirement), made by reading the sample registry's feed: the same path as every signal."""
    return poll_source(session, signal_feed(config), sources, today=china_today())
