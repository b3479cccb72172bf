"""Masking of personal data for every response (the unmasked value needs an audited reveal)."""

from __future__ import annotations

import re


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


# Province, then city (or prefecture), then district (or county): the administrative prefix.
ADDRESS_PREFIX = re.compile(r"^(?:.{1,7}?省)?(?:.{1,7}?(?:市|自治州|地区|盟))?(?:.{1,7}?(?:区|县|旗|市))?")


def mask_address(value: str | None) -> str | None:
    """``浙江省杭州市西湖区文三路90号`` → ``浙江省杭州市西湖区****``: the district stays, the street goes."""
    if not value:
        return value
    prefix = ADDRESS_PREFIX.match(value).group(0)  # type: ignore[union-attr]
    return (prefix or value[:2]) + "****"


MASK_BY_TYPE = {"id_number": mask_id_number, "bank_card": mask_bank_account, "mobile": mask_mobile,
                "address": mask_address}


def mask_field(field_type: str, value: object, *, types: tuple[str, ...] = tuple(MASK_BY_TYPE)) -> object:
    """``value`` masked by the rule of its field type, when that type is one of ``types``."""
    mask = MASK_BY_TYPE.get(field_type) if field_type in types else None
    return mask(value) if mask is not None and isinstance(value, str) else value
