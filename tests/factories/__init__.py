"""Test data written through the real store: model factories with state traits, and sessions.

- ``UserFactory`` / ``ResidentFactory`` / ``StaffFactory`` / ``OfficerFactory``: people;
- ``ApplicationFactory`` with the traits ``draft``, ``submitted``, ``supplement_requested``,
  ``approved``, ``partially_rejected``, ``withdrawn``: an application and every row of that state;
- ``CaseFactory``, ``CertificateFactory``, ``EventFactory``: single rows of an application;
- ``create_user`` and ``sign_in``: a demo persona as a login makes them, and a real session.
"""

from tests.factories.applications import PERSONA_OF_BUNDLE, ApplicationFactory
from tests.factories.cases import CaseFactory, CertificateFactory, EventFactory, OutboxMessageFactory
from tests.factories.personas import create_user, persona_claims, sign_in
from tests.factories.users import ISSUER, OfficerFactory, ResidentFactory, StaffFactory, UserFactory

__all__ = ["ISSUER", "PERSONA_OF_BUNDLE", "ApplicationFactory", "CaseFactory", "CertificateFactory", "EventFactory",
           "OfficerFactory", "OutboxMessageFactory", "ResidentFactory", "StaffFactory", "UserFactory", "create_user",
           "persona_claims", "sign_in"]
