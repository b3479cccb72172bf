"""What a person reads when a login or a QR ticket fails, in zh-CN and English.

``auth/`` raises errors with stable reasons; these tables turn them into an HTTP
status and a message sent through the one error envelope (with ``reason``).
"""

from __future__ import annotations

from typing import NoReturn

from flask_smorest import abort

from auth.oidc import LoginFailed
from auth.qr import QrError
from bff.core.text import Text
from bff.i18n import t

START_AGAIN = Text("请重新登录。", "Please sign in again.")

LOGIN_FAILURES: dict[str, tuple[int, Text]] = {
    "login_expired": (400, Text("登录已过期或已使用，请重新登录。",
                                "This sign-in has expired or was already used. Please sign in again.")),
    "state_mismatch": (400, Text("登录请求与本浏览器不匹配，已为您拦截，请重新登录。",
                                 "This sign-in did not start in this browser, so we stopped it. Please sign in again.")),
    "provider_error": (400, Text("身份认证未完成（可能已取消），请重新登录。",
                                 "The identity provider did not complete the sign-in (perhaps it was cancelled).")),
    "provider_unreachable": (503, Text("统一身份认证服务暂时无法访问，请稍后再试。",
                                       "The identity service cannot be reached right now; please try again later.")),
    "provider_refused": (503, Text("统一身份认证服务配置有误，暂时无法登录，请稍后再试。",
                                   "The identity service is misconfigured, so signing in is unavailable for now.")),
    "issuer_mismatch": (400, Text("身份凭证来自未知的认证机构，已拒绝。",
                                  "The sign-in came from an identity provider we do not trust, so it was refused.")),
    "nonce_mismatch": (400, Text("身份凭证不属于本次登录，已拒绝，请重新登录。",
                                 "The identity token does not belong to this sign-in, so it was refused.")),
    "id_token_invalid": (400, Text("身份凭证无效，请重新登录。", "The identity token is not valid. Please sign in again.")),
    "userinfo_subject_mismatch": (400, Text("身份认证服务返回的资料不属于本次登录的用户，已拒绝，请重新登录。",
                                            "The identity service sent a profile of another person, so the "
                                            "sign-in was refused. Please sign in again.")),
    "token_rejected": (400, Text("登录凭证已失效或已使用，请重新登录。",
                                 "The sign-in code has expired or was already used. Please sign in again.")),
}

QR_FAILURES: dict[str, tuple[int, Text]] = {
    "expired": (410, Text("二维码已过期，请在自助机上刷新二维码后重新扫码。",
                          "This QR code has expired. Refresh the code on the kiosk and scan again.")),
    "wrong_browser": (403, Text("该二维码属于另一台设备，不能在此使用。",
                                "This QR code belongs to another device and cannot be used here.")),
    "not_yours": (403, Text("该二维码已被其他人扫描。", "Someone else has already scanned this QR code.")),
    "already_used": (409, Text("该二维码已使用，请刷新后重新扫码。",
                               "This QR code has already been used. Refresh it and scan again.")),
    "denied": (409, Text("登录请求已被拒绝。", "This sign-in request was refused on the phone.")),
    "mismatch": (409, Text("数字不匹配，本次登录已拒绝。请在自助机上刷新二维码重试。",
                           "The number did not match, so this sign-in was refused. Refresh the code on the kiosk.")),
    "not_scanned": (409, Text("请先用手机扫码。", "Scan the QR code with your phone first.")),
    "not_approved": (409, Text("请在手机上确认登录。", "Waiting for you to approve the sign-in on your phone.")),
    "rate_limited": (429, Text("获取二维码太频繁，请稍后再试。", "Too many QR codes were requested; please wait a minute.")),
}


def abort_login(error: LoginFailed) -> NoReturn:
    status, text = LOGIN_FAILURES.get(error.reason, LOGIN_FAILURES["id_token_invalid"])
    abort(status, message=t(text), reason=error.reason)
    raise AssertionError("abort raises")


def abort_qr(error: QrError) -> NoReturn:
    status, text = QR_FAILURES[error.reason]
    abort(status, message=t(text), reason=f"qr_{error.reason}")
    raise AssertionError("abort raises")
