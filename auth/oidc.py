"""The OpenID Connect relying party: authorization code flow with PKCE (S256).

Flow: :meth:`OidcClient.begin_login` makes a random ``state``, ``nonce`` and
PKCE verifier, keeps them in Redis under a random *login id* (the browser gets
only that id, in a short-lived HttpOnly cookie), and returns the provider's
authorization URL. :meth:`OidcClient.finish_login` takes the login id back from
the cookie, consumes the pending record (single use: GETDEL), checks ``state``,
exchanges the code with the verifier, and validates the ID token's signature,
``iss``, ``aud``, ``exp`` and ``nonce``. The access and refresh tokens are returned
to the caller to be kept server-side; they never reach the browser.

Every failure raises :class:`LoginFailed` with a stable ``reason`` that the BFF
turns into a message in the user's language.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import redis as redis_lib
import requests
from authlib.common.urls import add_params_to_uri
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken, UserInfo
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

# Long enough to sign in at the provider (a password, an SMS code), short enough that a flood of
# abandoned logins leaves nothing behind for long.
PENDING_SECONDS = 300
DEVELOPMENT_MARKER = "x_onething_development_only"
"""In the development provider's discovery document: a relying party that must not trust it
(production) refuses it wherever it runs, whatever its address."""
LOGIN_COOKIE = "onething_login"
SCOPE = "openid profile phone"
DISCOVERY_SECONDS = 300
PROFILE_CLAIMS = ("name", "phone_number", "id_number")


class LoginFailed(Exception):
    """The login could not be completed. ``reason`` is stable for clients:

    ``login_expired`` (no pending login: expired, already used, or another browser),
    ``state_mismatch``, ``provider_error`` (the provider refused, e.g. the user cancelled),
    ``provider_unreachable``, ``issuer_mismatch``, ``token_rejected`` (the code exchange failed),
    ``id_token_invalid`` (signature, audience, expiry), ``nonce_mismatch``,
    ``userinfo_subject_mismatch`` (the userinfo endpoint answered about another person).
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class LoginResult:
    issuer: str
    subject: str
    claims: dict[str, Any]
    tokens: dict[str, Any]
    next_url: str


def safe_next(value: str | None, default: str = "/") -> str:
    """``value`` if it is a path on this site (no scheme, no host, no ``//``), else ``default``."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in value):
        return default
    return value


class OidcClient:
    """One relying party of one provider (``issuer``), with pending logins in Redis."""

    def __init__(self, client: redis_lib.Redis, *, issuer: str, client_id: str, client_secret: str,
                 redirect_uri: str, timeout: float = 10.0, clock: Callable[[], float] = time.time,
                 profile_claims: tuple[str, ...] = PROFILE_CLAIMS, extra_claims: tuple[str, ...] = (),
                 refuse_development_provider: bool = False) -> None:
        self.redis = client
        self.profile_claims = profile_claims
        self.extra_claims = extra_claims
        self.refuse_development_provider = refuse_development_provider
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.timeout = timeout
        self.clock = clock
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._jwks: dict[str, Any] | None = None
        self._lock = threading.Lock()

    # -- discovery -------------------------------------------------------------------------

    def metadata(self, *, force: bool = False) -> dict[str, Any]:
        """The provider's discovery document, cached; its ``issuer`` must be ours exactly."""
        with self._lock:
            if force or self._metadata is None or time.time() - self._metadata_at > DISCOVERY_SECONDS:
                url = f"{self.issuer}/.well-known/openid-configuration"
                document = self._get_json(url)
                if str(document.get("issuer", "")).rstrip("/") != self.issuer:
                    raise LoginFailed("issuer_mismatch", f"discovery names {document.get('issuer')!r}")
                if self.refuse_development_provider and document.get(DEVELOPMENT_MARKER):
                    raise LoginFailed("provider_refused", "the development identity provider")
                self._metadata, self._metadata_at, self._jwks = document, time.time(), None
            return self._metadata

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = requests.get(url, timeout=self.timeout)
            response.raise_for_status()
            return response.json()  # type: ignore[no-any-return]
        except (requests.RequestException, ValueError) as error:
            raise LoginFailed("provider_unreachable", type(error).__name__) from error

    def _key_set(self, *, force: bool = False) -> KeySet:
        if self._jwks is None or force:
            self._jwks = self._get_json(self.metadata()["jwks_uri"])
        return KeySet.import_key_set(self._jwks)  # type: ignore[arg-type]

    def _session(self) -> OAuth2Session:
        return OAuth2Session(self.client_id, self.client_secret, scope=SCOPE, redirect_uri=self.redirect_uri,
                             code_challenge_method="S256")

    # -- login -----------------------------------------------------------------------------

    def begin_login(self, next_url: str, *, prompt: str | None = None) -> tuple[str, str]:
        """Start a login; returns (the provider's authorization URL, the login id for the cookie)."""
        endpoint = self.metadata()["authorization_endpoint"]
        login_id, state, nonce = (secrets.token_urlsafe(32) for _ in range(3))
        verifier = secrets.token_urlsafe(64)
        pending = {"state": state, "nonce": nonce, "verifier": verifier, "next": safe_next(next_url),
                   "issuer": self.issuer, "started": self.clock()}
        self.redis.set(self._pending_key(login_id), json.dumps(pending), ex=PENDING_SECONDS)
        extra = {"prompt": prompt} if prompt else {}
        with self._session() as session:
            url, _ = session.create_authorization_url(endpoint, state=state, code_verifier=verifier,
                                                      nonce=nonce, **extra)
        return url, login_id

    @staticmethod
    def _pending_key(login_id: str) -> str:
        return f"oidc-login:{login_id}"

    def take_pending(self, login_id: str | None) -> dict[str, Any]:
        """Consume the pending login of this browser (single use), or fail with ``login_expired``."""
        if not login_id or len(login_id) > 100:
            raise LoginFailed("login_expired", "no login cookie")
        raw = self.redis.getdel(self._pending_key(login_id))
        if not raw:
            raise LoginFailed("login_expired", "unknown or used login id")
        return json.loads(raw)  # type: ignore[arg-type, no-any-return]

    def finish_login(self, login_id: str | None, params: dict[str, str]) -> LoginResult:
        """Complete the login from the callback's query ``params``; see the module docstring."""
        pending = self.take_pending(login_id)
        if not secrets.compare_digest(str(params.get("state", "")), pending["state"]):
            raise LoginFailed("state_mismatch")
        if params.get("error"):
            raise LoginFailed("provider_error", str(params.get("error"))[:60])
        if not params.get("code"):
            raise LoginFailed("provider_error", "no code")
        tokens = self._exchange_code(params["code"], pending["verifier"])
        claims = self.with_userinfo(self.validate_id_token(tokens, pending["nonce"]), tokens)
        return LoginResult(issuer=self.issuer, subject=str(claims["sub"]), claims=claims,
                           tokens=_kept_tokens(tokens, self.clock()), next_url=pending["next"])

    def _exchange_code(self, code: str, verifier: str) -> dict[str, Any]:
        endpoint = self.metadata()["token_endpoint"]
        try:
            with self._session() as session:
                token = session.fetch_token(endpoint, grant_type="authorization_code", code=code,
                                            code_verifier=verifier, timeout=self.timeout)
        except requests.RequestException as error:
            raise LoginFailed("provider_unreachable", type(error).__name__) from error
        except Exception as error:  # authlib raises OAuthError subclasses for error responses
            raise LoginFailed("token_rejected", getattr(error, "error", type(error).__name__)) from error
        if "id_token" not in token:
            raise LoginFailed("id_token_invalid", "no id_token")
        return dict(token)

    def validate_id_token(self, tokens: dict[str, Any], nonce: str) -> dict[str, Any]:
        """The ID token's claims after checking signature, ``iss``, ``aud``, ``exp``/``iat`` and ``nonce``."""
        algorithms = self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"]
        registry = JWSRegistry(algorithms=[a for a in algorithms if a != "none"])
        try:
            try:
                decoded = jwt.decode(tokens["id_token"], self._key_set(), registry=registry)
            except JoseError:
                decoded = jwt.decode(tokens["id_token"], self._key_set(force=True), registry=registry)
        except (JoseError, ValueError) as error:
            raise LoginFailed("id_token_invalid", type(error).__name__) from error
        return self._check_claims(decoded.claims, decoded.header, tokens, nonce)

    def _check_claims(self, claims: dict[str, Any], header: dict[str, Any], tokens: dict[str, Any],
                      nonce: str) -> dict[str, Any]:
        if claims.get("iss") != self.issuer:
            raise LoginFailed("issuer_mismatch", "id_token iss")
        if not claims.get("nonce") or not secrets.compare_digest(str(claims["nonce"]), nonce):
            raise LoginFailed("nonce_mismatch")
        options = {"iss": {"essential": True, "value": self.issuer}, "aud": {"essential": True, "value": self.client_id},
                   "sub": {"essential": True}}
        params = {"nonce": nonce, "client_id": self.client_id, "access_token": tokens.get("access_token")}
        id_token = CodeIDToken(claims, header, options, params)  # type: ignore[arg-type]
        try:
            id_token.validate(now=int(time.time()), leeway=60)
        except JoseError as error:
            raise LoginFailed("id_token_invalid", type(error).__name__) from error
        return dict(claims)

    def with_userinfo(self, claims: dict[str, Any], tokens: dict[str, Any]) -> dict[str, Any]:
        """``claims`` completed from the userinfo endpoint when the ID token lacks a profile claim.

        Many providers put only ``sub`` in the ID token and serve the profile at userinfo
        (OpenID Connect Core 5.4). Only the profile claims missing from the ID token are taken, so
        the signed token's own claims always win; and the answer must be about the same person
        (5.3.2: its ``sub`` must equal the ID token's), or the login is refused.
        """
        endpoint = self.metadata().get("userinfo_endpoint")
        if all(claims.get(key) for key in self.profile_claims) or not endpoint or not tokens.get("access_token"):
            return claims
        # ``extra_claims`` (roles, department) are often absent for good reason: they never
        # trigger the call on their own, but are taken along when it is made
        missing = [key for key in (*self.profile_claims, *self.extra_claims) if not claims.get(key)]
        token = {"access_token": tokens["access_token"], "token_type": tokens.get("token_type") or "Bearer"}
        try:
            with OAuth2Session(self.client_id, self.client_secret, token=token) as session:
                response = session.get(endpoint, timeout=self.timeout)
            response.raise_for_status()
            info = UserInfo(response.json())
        except (requests.RequestException, ValueError) as error:
            raise LoginFailed("provider_unreachable", f"userinfo {type(error).__name__}") from error
        if not isinstance(info.get("sub"), str) or not secrets.compare_digest(info["sub"], str(claims["sub"])):
            raise LoginFailed("userinfo_subject_mismatch")
        return {**claims, **{key: info[key] for key in missing if info.get(key)}}

    # -- logout ----------------------------------------------------------------------------

    def end_session_url(self, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
        """Where to send the browser to end the session at the provider (None if it has no such endpoint)."""
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except LoginFailed:
            return None
        if not endpoint:
            return None
        params = [("client_id", self.client_id), ("post_logout_redirect_uri", post_logout_redirect_uri)]
        if id_token:
            params.insert(0, ("id_token_hint", id_token))
        return add_params_to_uri(endpoint, params)  # type: ignore[no-any-return]


def _kept_tokens(token: dict[str, Any], now: float) -> dict[str, Any]:
    """What the session keeps of the token response (server-side only).

    The ID token is validated and then dropped: it carries personal data (the ID number),
    and Redis holds none.
    """
    kept: dict[str, Any] = {k: token[k] for k in ("access_token", "refresh_token", "token_type") if k in token}
    if "expires_in" in token:
        kept["expires_at"] = now + int(token["expires_in"])
    return kept
