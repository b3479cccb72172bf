"""People: residents (the demo personas or numbered ones), service-desk staff and officers.

A user is written as a login would leave it (``bff.services.users.upsert_user_from_claims``):
the ID number upper-cased, encrypted, with its keyed lookup hash; the same for the mobile.
An officer also holds an admin role grant for their department, which is where a real
officer's department comes from when the identity provider does not say.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import factory

from bff.core.idnumber import make_id_number
from bff.demo import REGION, Persona, persona
from bff.store.crypto import lookup_hash
from bff.store.models import RoleGrant, User, utcnow
from tests.factories.base import StoreFactory

# Never contacted: an identity provider's name is only half of the user's key.
ISSUER = "https://idp.onething.test"
GIVEN_NAMES = ["秀兰", "建华", "志强", "海燕", "国庆", "春梅", "晓东", "丽娟", "文博", "雪梅"]


def numbered_person(n: int) -> Persona:
    """A resident who is not a demo persona: a checksum-valid ID number unique by ``n``."""
    born = date(1960 + n % 40, 1 + n % 12, 1 + n % 28)
    return Persona(f"resident-{n}", f"王{GIVEN_NAMES[n % len(GIVEN_NAMES)]}", f"Resident {n}",
                   "female" if n % 2 else "male", born, f"137{n:08d}", sequence=100 + n % 800)


class UserFactory(StoreFactory):
    """A resident; ``persona="zhangwei"`` makes that demo persona (the same row if made twice)."""

    class Meta:
        model = User
        sqlalchemy_get_or_create = ("issuer", "subject")

    class Params:
        persona: str | None = None
        who = factory.LazyAttributeSequence(
            lambda o, n: persona(o.persona) if o.persona else numbered_person(n))

    issuer = ISSUER
    subject = factory.SelfAttribute("who.key")
    name = factory.SelfAttribute("who.name")
    id_number = factory.LazyAttribute(lambda o: make_id_number(REGION, o.who.born, o.who.sequence).upper())
    id_number_hash = factory.LazyAttribute(lambda o: lookup_hash(o.id_number))
    mobile = factory.SelfAttribute("who.mobile")
    mobile_hash = factory.LazyAttribute(lambda o: lookup_hash(o.mobile))
    roles = factory.LazyAttribute(lambda o: list(o.who.roles))
    department = factory.SelfAttribute("who.department")
    last_login_at = factory.LazyFunction(utcnow)


class ResidentFactory(UserFactory):
    """A resident: a numbered one, or the demo persona ``persona``."""


class StaffFactory(UserFactory):
    """Service-desk staff (周敏 unless told)."""

    class Params:
        persona = "zhoumin"


class RoleGrantFactory(StoreFactory):
    class Meta:
        model = RoleGrant
        sqlalchemy_get_or_create = ("issuer", "subject", "role")

    issuer = ISSUER
    subject: Any = None
    role = "officer"
    department: Any = None


class OfficerFactory(UserFactory):
    """The demo officer of ``department_code``, with the admin grant of that department's officer role."""

    class Params:
        department_code = "health"
        persona = factory.LazyAttribute(lambda o: f"officer-{o.department_code}")

    @factory.post_generation
    def grant(user: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            RoleGrantFactory(subject=user.subject, role="officer", department=user.department)
