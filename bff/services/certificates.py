"""E-certificates (电子证照): issued when a case is approved, downloaded by the applicant,
verified by anyone through the QR code — which shows only validity, type and issue date."""

from __future__ import annotations

import secrets
from typing import Any

from bff.core.calendar import china_date
from bff.core.errors import NotFound
from bff.core.text import Text
from bff.services.certificate_documents import certificate_view, issuer_name, verify_url
from bff.services.events import record_event
from bff.store import Session
from bff.store.models import Application, Case, Certificate
from bff.store.queries import certificates as store

NOT_FOUND = Text("找不到这份证照。", "We could not find this certificate.")


def certificate_number_for(case: Case, given: str | None = None) -> str:
    """The number of the certificate ``case`` issues: the department's, or ours."""
    return given or f"EC-{case.reference}"


def issue_certificate(session: Session, case: Case, application: Application, *,
                      number: str | None = None, actor_user_id: int | None = None) -> Certificate:
    """One certificate per case (idempotent: a repeated approval returns the same one)."""
    existing = store.certificate_of_case(session, case.id)
    if existing is not None:
        return existing
    title = case.item_title or {"zh-CN": case.item, "en": case.item}
    answers = application.answers or {}
    certificate = Certificate(
        case_id=case.id, application_id=application.id, user_id=application.user_id,
        number=certificate_number_for(case, number), kind=case.certificate_kind or case.item,
        title_zh=title.get("zh-CN", case.item), title_en=title.get("en", case.item),
        token=secrets.token_urlsafe(24), issuer=case.department,
        content={"subject_name": answers.get("subject.name") or answers.get("applicant.name"),
                 "case": case.reference})
    session.add(certificate)
    session.flush()
    record_event(session, "certificate_issued", actor_user_id=actor_user_id, subject_user_id=application.user_id,
                 application_id=application.id, case=case.reference, certificate=certificate.number,
                 kind=certificate.kind)
    return certificate


def certificates_of_application(session: Session, application_id: int) -> list[Certificate]:
    """The application's certificates, in the order they were issued."""
    return store.certificates_of_application(session, application_id)


def my_certificates(session: Session, user_id: int, public_url: str) -> list[dict[str, Any]]:
    """Every certificate the user's applications produced, the newest first, described."""
    return [describe(certificate, public_url) for certificate in store.certificates_of_user(session, user_id)]


def own_certificate(session: Session, user_id: int, number: str) -> Certificate:
    """The user's certificate ``number``; anyone else's is "not found"."""
    certificate = store.own_certificate(session, user_id, number)
    if certificate is None:
        raise NotFound(NOT_FOUND)
    return certificate


def certificate_detail(session: Session, user_id: int, number: str, public_url: str) -> dict[str, Any]:
    """The user's certificate ``number`` as its page, PDF and image show it (anyone else's: not found)."""
    return certificate_view(own_certificate(session, user_id, number), public_url)


def describe(certificate: Certificate, public_url: str) -> dict[str, Any]:
    return {"number": certificate.number, "kind": certificate.kind,
            "title": {"zh-CN": certificate.title_zh, "en": certificate.title_en},
            "issuer": certificate.issuer, "issuer_name": issuer_name(certificate.issuer),
            "issued_on": china_date(certificate.issued_at).isoformat(), "valid": certificate.revoked_at is None,
            "verify_url": verify_url(certificate, public_url)}


def verify_certificate(session: Session, token: str) -> dict[str, Any]:
    """Public: validity, type and issue date — nothing about the person."""
    certificate = store.certificate_by_token(session, token) if token else None
    if certificate is None:
        return {"valid": False}
    return {"valid": certificate.revoked_at is None, "kind": certificate.kind,
            "title": {"zh-CN": certificate.title_zh, "en": certificate.title_en},
            "issued_on": china_date(certificate.issued_at).isoformat()}
