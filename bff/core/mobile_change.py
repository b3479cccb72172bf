"""Changing the account's mobile number: the rules of the one-time code.

The resident names a new number; a six-digit code goes to it by SMS; the change is made only when
that code comes back within :data:`CODE_SECONDS`, in at most :data:`MAX_TRIES` tries. Only a hash of
the code is kept: the code itself is derived from the app's secret and a random nonce, so the job that
sends it can compute it again and nothing that is stored reveals it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from bff.core.errors import ValidationFailed
from bff.core.text import Text

CODE_SECONDS = 5 * 60
MAX_TRIES = 5
CODE_DIGITS = 6

MOBILE = re.compile(r"^1[3-9]\d{9}$")

BAD_MOBILE = Text("请输入11位手机号码。", "Enter an 11-digit mobile number.")
SAME_MOBILE = Text("这已经是您账号的手机号码。", "This is already your account's mobile number.")
BAD_CODE_FORMAT = Text("请输入短信中的6位验证码。", "Enter the 6-digit code from the text message.")
NO_CODE = Text("验证码已过期或未发送，请重新获取。", "The code has expired or was not sent; ask for a new one.")
TOO_MANY_TRIES = Text("验证码错误次数过多，请重新获取。", "Too many wrong codes; ask for a new one.")


def wrong_code(tries_left: int) -> Text:
    return Text(f"验证码不正确，还可以再试 {tries_left} 次。",
                f"That code is not right; {tries_left} {'try' if tries_left == 1 else 'tries'} left.")


@dataclass(frozen=True)
class Pending:
    """A code on its way: the nonce it derives from, its hash, the tries used so far."""

    nonce: str
    code_hash: str
    tries: int


def normalised_mobile(value: str, current: str | None) -> str:
    """The new number, digits only, or ValidationFailed on ``mobile``."""
    digits = re.sub(r"[\s-]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    if not MOBILE.match(digits):
        raise ValidationFailed(BAD_MOBILE, errors={"mobile": [BAD_MOBILE]})
    if current and digits == current:
        raise ValidationFailed(SAME_MOBILE, errors={"mobile": [SAME_MOBILE]})
    return digits


def code_for(secret: str, nonce: str) -> str:
    """The code of ``nonce``: the same for the request that hashes it and the job that sends it."""
    digest = hmac.new(secret.encode(), f"mobile-code:{nonce}".encode(), hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)


def hash_code(code: str, nonce: str) -> str:
    return hashlib.sha256(f"{nonce}:{code}".encode()).hexdigest()


def check_code(pending: Pending | None, typed: str) -> None:
    """Pass when ``typed`` is the pending code (``pending.tries`` already counts this try)."""
    code = re.sub(r"\s", "", typed or "")
    if not re.fullmatch(rf"\d{{{CODE_DIGITS}}}", code):
        raise ValidationFailed(BAD_CODE_FORMAT, errors={"code": [BAD_CODE_FORMAT]})
    if pending is None:
        raise ValidationFailed(NO_CODE, code="code_expired", errors={"code": [NO_CODE]})
    if pending.tries > MAX_TRIES:
        raise ValidationFailed(TOO_MANY_TRIES, code="too_many_tries", errors={"code": [TOO_MANY_TRIES]})
    if not hmac.compare_digest(hash_code(code, pending.nonce), pending.code_hash):
        left = MAX_TRIES - pending.tries
        message = wrong_code(left) if left else TOO_MANY_TRIES
        raise ValidationFailed(message, code="wrong_code", errors={"code": [message]})


def sms_text(code: str, language: str | None) -> str:
    """The text message (no name, no number: only the code and what it is for)."""
    if language == "en":
        return f"OneThing: {code} is your code to change your mobile number. It expires in 5 minutes."
    return f"【一件事】验证码 {code}，用于更换手机号码，5分钟内有效。如非本人操作，请忽略。"
