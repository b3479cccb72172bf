"""Resident identity numbers (GB 11643-1999): checksum, birth date, sex."""

from __future__ import annotations

import re
from datetime import date

from bff.core.clock import china_today

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
PATTERN = re.compile(r"^\d{17}[\dX]$")


def check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def make_id_number(region: str, born: date, sequence: int) -> str:
    """Build a checksum-valid number; ``sequence`` is odd for men, even for women."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def birth_date_of(value: str) -> date | None:
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def is_valid_id_number(value: str, today: date | None = None) -> bool:
    """Format, checksum, and a birth date that exists and is not in the future."""
    value = value.strip().upper()
    if not PATTERN.match(value) or check_char(value[:17]) != value[17]:
        return False
    born = birth_date_of(value)
    return born is not None and born.year >= 1900 and born <= (today or china_today())


def sex_of(value: str) -> str:
    return "male" if int(value[16]) % 2 else "female"
