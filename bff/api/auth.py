"""Sign in with the identity provider (OIDC), and sign out.

``GET /auth/login?next=/app/…`` starts the authorization code flow and
``GET /auth/callback`` completes it; ``POST /auth/logout`` ends the session here
and returns the provider's end-session URL for the PWA to visit.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, after_this_request, current_app, g, redirect, request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields
from werkzeug.wrappers import Response as BaseResponse

from auth.oidc import LOGIN_COOKIE, PENDING_SECONDS, LoginFailed, OidcClient, safe_next
from auth.permissions import access
from auth.qr import QrTickets
from auth.ratelimit import FixedWindow
from auth.sessions import ABSOLUTE_SECONDS, SIGNED_IN_HINT, SessionStore
from bff.api.identity_errors import abort_login
from bff.core.devices import describe_address, describe_user_agent
from bff.core.text import Text
from bff.extensions import db
from bff.i18n import t
from bff.services import identity

TOO_MANY_LOGINS = Text("登录尝试太频繁，请稍后再试。", "Too many sign-in attempts; please wait a moment and try again.")

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Sign in and sign out")


def wire_identity(state: Any) -> None:
    """Build the relying party and the QR ticket store when the blueprint is registered."""
    app: Flask = state.app
    client = app.extensions["redis"]
    public_url = app.config["PUBLIC_URL"].rstrip("/")
    app.extensions["oidc"] = OidcClient(
        client, issuer=app.config["OIDC_ISSUER"], client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"], redirect_uri=f"{public_url}/auth/callback",
        # taken from userinfo too when the ID token lacks the profile and so userinfo is asked
        extra_claims=(app.config["OIDC_ROLES_CLAIM"], app.config["OIDC_DEPARTMENT_CLAIM"]),
        refuse_development_provider=app.config["ENV"] == "production")
    # Each started sign-in stores a pending login: an anonymous caller must not be able to fill Redis.
    app.extensions["login_limit"] = FixedWindow(client, "login-rate", limit=int(app.config["RATE_LIMIT_LOGINS_PER_MINUTE"]))
    app.extensions["qr_tickets"] = QrTickets(
        client, public_url=public_url, per_minute=int(app.config["RATE_LIMIT_QR_TICKETS_PER_MINUTE"]))


blp.record_once(wire_identity)


# -- helpers shared with the QR and profile resources ----------------------------------------------

def oidc() -> OidcClient:
    return current_app.extensions["oidc"]  # type: ignore[no-any-return]


def sessions() -> SessionStore:
    return current_app.extensions["sessions"]  # type: ignore[no-any-return]


def cookie_name(base: str) -> str:
    """``__Host-`` prefixed in production: Secure, Path=/, no Domain, so no subdomain can set it."""
    if current_app.config["ENV"] == "production" and not base.startswith("__Host-"):
        return f"__Host-{base}"
    return base


def session_cookie_name() -> str:
    return current_app.config["SESSION_COOKIE_NAME"]  # type: ignore[no-any-return]  # prefixed by config


def set_cookie(response: BaseResponse, base: str, value: str, *, max_age: int, same_site: str = "Lax") -> None:
    response.set_cookie(cookie_name(base), value, max_age=max_age, path="/", httponly=True,
                        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]), samesite=same_site)


def clear_cookie(response: BaseResponse, base: str, *, same_site: str = "Lax") -> None:
    response.delete_cookie(cookie_name(base), path="/", httponly=True,
                           secure=bool(current_app.config["SESSION_COOKIE_SECURE"]), samesite=same_site)


def set_session_cookie(response: BaseResponse, sid: str) -> None:
    set_cookie(response, session_cookie_name(), sid, max_age=ABSOLUTE_SECONDS)
    set_signed_in_hint(response, signed_in=True)


def set_signed_in_hint(response: BaseResponse, *, signed_in: bool) -> None:
    """The PWA-readable ``onething_signed_in=1`` (no secret), or its removal: a signed-out page
    then skips ``/api/v1/me`` (kept in step with the session by ``bff.app.wire_auth``)."""
    secure = bool(current_app.config["SESSION_COOKIE_SECURE"])
    if signed_in:
        response.set_cookie(cookie_name(SIGNED_IN_HINT), "1", max_age=ABSOLUTE_SECONDS, path="/", samesite="Lax",
                            secure=secure)
    else:
        response.delete_cookie(cookie_name(SIGNED_IN_HINT), path="/", samesite="Lax", secure=secure)


def where_from_request(place: str = "") -> identity.Where:
    return identity.Where(device=describe_user_agent(request.headers.get("User-Agent")),
                          place=place or describe_address(request.remote_addr))


def wants_page() -> bool:
    """A browser navigation (it prefers HTML) rather than an API client (JSON)."""
    accept = request.accept_mimetypes
    return accept.accept_html and accept.quality("text/html") > accept.quality("application/json")


def login_failed_page(error: LoginFailed) -> BaseResponse:
    """Send a person whose sign-in failed to the PWA's page for it, with the envelope's ``reason`` only."""
    response = redirect(f"/app/login-failed?{urlencode({'reason': error.reason})}", code=302)
    clear_cookie(response, LOGIN_COOKIE)
    return response


# -- resources -------------------------------------------------------------------------------

class LogoutSchema(Schema):
    end_session_url = fields.Str(allow_none=True, metadata={
        "description": "Visit this URL to sign out at the identity provider too (null if it has none)"})
    redirect = fields.Str(metadata={"description": "Where the PWA goes afterwards"})


class LoginQuerySchema(Schema):
    next = fields.Str(load_default=None, metadata={"description": "A path on this site to return to"})


class CallbackQuerySchema(Schema):
    """What the identity provider sends back (documents them: the relying party reads them all)."""

    code = fields.Str()
    state = fields.Str()
    iss = fields.Str()
    error = fields.Str()
    error_description = fields.Str()


@blp.route("/login")
@blp.arguments(LoginQuerySchema, location="query")
@blp.response(302, description="Redirect to the identity provider")
@blp.alt_response(429, response="TOO_MANY_REQUESTS", description="Too many sign-ins started from this address; see Retry-After")
@access("public")
def login(query: dict[str, Any]) -> BaseResponse:
    """Start signing in; ``next`` is where to return afterwards (a path on this site only)."""
    # The client's address as ProxyFix took it from the trusted proxies' X-Forwarded-For.
    wait = current_app.extensions["login_limit"].hit(request.remote_addr or "unknown")
    if wait is not None:
        abort(429, message=t(TOO_MANY_LOGINS), reason="rate_limited", headers={"Retry-After": str(wait)})
    try:
        url, login_id = oidc().begin_login(safe_next(query["next"]))
    except LoginFailed as error:
        if wants_page():
            return login_failed_page(error)
        abort_login(error)
    response = redirect(url, code=302)
    set_cookie(response, LOGIN_COOKIE, login_id, max_age=PENDING_SECONDS)
    return response


@blp.route("/callback")
@blp.arguments(CallbackQuerySchema, location="query")
@blp.response(302, description="Signed in; redirect to where the person was going")
@access("public")
def callback(_query: dict[str, Any]) -> BaseResponse:
    """Finish signing in: check state, exchange the code, validate the ID token, start a session."""
    login_id = request.cookies.get(cookie_name(LOGIN_COOKIE))
    try:
        result = oidc().finish_login(login_id, request.args.to_dict())
    except LoginFailed as error:
        if wants_page():
            return login_failed_page(error)
        abort_login(error)
    config = current_app.config
    _, record = identity.complete_login(
        db.session, sessions(), result, where_from_request(),
        previous_sid=request.cookies.get(session_cookie_name()),
        roles_claim=config["OIDC_ROLES_CLAIM"], department_claim=config["OIDC_DEPARTMENT_CLAIM"])
    response = redirect(result.next_url, code=302)
    set_session_cookie(response, record.id)
    clear_cookie(response, LOGIN_COOKIE)
    return response


@blp.route("/logout", methods=["POST"])
@blp.response(200, LogoutSchema)
@access("public")
def logout() -> dict[str, Any]:
    """Sign out here, and return the provider's end-session URL for the PWA to visit."""
    record = g.get("session")
    if record is not None:
        identity.log_out(db.session, sessions(), record)

    @after_this_request
    def forget_session(response: Response) -> Response:
        clear_cookie(response, session_cookie_name())
        set_signed_in_hint(response, signed_in=False)
        return response

    home = current_app.config["PUBLIC_URL"].rstrip("/") + "/"
    # No id_token_hint: the browser must never carry the ID token (it holds personal data).
    return {"end_session_url": oidc().end_session_url(None, home) if record is not None else None, "redirect": "/"}
