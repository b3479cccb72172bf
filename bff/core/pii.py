"""Masking of personal data for every response (the unmasked value needs an audited reveal)."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str | None:
    """``330106199001011234`` → ``330106********1234``."""
    if not value:
        return value
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_mobile(value: str | None) -> str | None:
    """``13800001234`` → ``138****1234``."""
    if not value:
        return value
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str | None:
    """``陈国华`` → ``陈**``; kept for lists shown to staff before they open a record."""
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1)


def mask_bank_account(value: str | None) -> str | None:
    if not value:
        return value
    return "*" * max(len(value) - 4, 0) + value[-4:]
