"""A development OpenID Connect provider, served over real HTTP (never in production).

Built on authlib's server classes: authorization code with PKCE (S256),
discovery, JWKS, userinfo and RP-initiated logout (end_session). Its login page
lists the personas it was given, each one click away. The BFF talks to it
exactly as it would to a production provider.

It knows nothing of ``bff``: the personas and the client registration arrive
as plain data. State lives in memory, which is all a development provider needs.
"""

from __future__ import annotations

import html
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo, UserInfoEndpoint
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import Flask, Response, jsonify, redirect, request
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from auth.devidp_pages import login_page, page
from auth.oidc import DEVELOPMENT_MARKER

CLAIM_KEYS = ("sub", "name", "phone_number", "id_number", "roles", "department")
CODE_SECONDS = 300
TOKEN_SECONDS = 3600


class DevIdpRefused(RuntimeError):
    """The development provider was asked to run where it must not (production mode)."""


@dataclass
class DevClient(ClientMixin):
    """The one registered relying party (the BFF)."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str] = field(default_factory=list)

    @property
    def client_metadata(self) -> dict[str, Any]:
        return {"post_logout_redirect_uris": self.post_logout_redirect_uris}

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        allowed = {"openid", "profile", "phone"}
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    sub: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int
    expires_at: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


@dataclass
class AccessToken:
    access_token: str
    client: DevClient
    sub: str
    scope: str
    expires_at: float

    def get_client(self) -> DevClient:
        return self.client

    def get_user(self) -> str:
        return self.sub

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return max(int(self.expires_at - time.time()), 0)

    def is_expired(self) -> bool:
        return time.time() >= self.expires_at

    def is_revoked(self) -> bool:
        return False


class Memory:
    """Codes and tokens of the running provider, guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.codes: dict[str, AuthorizationCode] = {}
        self.tokens: dict[str, AccessToken] = {}
        self.nonces: set[tuple[str, str]] = set()


def persona_claims(persona: dict[str, Any]) -> dict[str, Any]:
    """The claims the provider asserts for a persona (exactly the keys of ``CLAIM_KEYS``)."""
    claims = {key: persona.get(key) for key in CLAIM_KEYS}
    claims["roles"] = list(persona.get("roles") or ["resident"])
    return claims


def _make_grant(memory: Memory) -> type[grants.AuthorizationCodeGrant]:
    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code: str, req: Any) -> None:
            data = req.payload.data
            item = AuthorizationCode(
                code=code, client_id=req.client.client_id, redirect_uri=req.payload.redirect_uri or "",
                scope=req.payload.scope or "", sub=req.user, nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"), code_challenge_method=data.get("code_challenge_method"),
                auth_time=int(time.time()), expires_at=time.time() + CODE_SECONDS)
            with memory.lock:
                memory.codes[code] = item
                if item.nonce:
                    memory.nonces.add((item.client_id, item.nonce))

        def query_authorization_code(self, code: str, client: DevClient) -> AuthorizationCode | None:
            with memory.lock:
                item = memory.codes.get(code)
            if item and item.client_id == client.client_id and item.expires_at > time.time():
                return item
            return None

        def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
            with memory.lock:
                memory.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: AuthorizationCode) -> str:
            return authorization_code.sub

    return CodeGrant


class _OpenIDCode(OpenIDCode):
    def __init__(self, provider: DevIdentityProvider) -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce: str, req: Any) -> bool:
        with self.provider.memory.lock:
            return (req.payload.client_id, nonce) in self.provider.memory.nonces

    def resolve_client_private_key(self, client: DevClient) -> KeySet:
        return self.provider.keys

    def get_client_algorithm(self, client: DevClient) -> str:
        return "RS256"

    def get_encode_header(self, client: DevClient) -> dict[str, str]:
        return {"alg": "RS256", "kid": self.provider.kid}

    def get_client_claims(self, client: DevClient) -> dict[str, Any]:
        return {"iss": self.provider.issuer, "aud": [client.client_id]}

    def generate_user_info(self, user: str, scope: str) -> UserInfo:
        # The claims of the ID token; a minimal one carries only ``sub``, as many certified
        # providers issue it, and the profile is then at the userinfo endpoint alone.
        return UserInfo({"sub": user}) if self.provider.minimal_id_token else self.provider.user_info(user)


class DevIdentityProvider:
    """The provider's state: issuer, signing key, personas, client, codes and tokens."""

    def __init__(self, personas: list[dict[str, Any]], client: DevClient, issuer: str, *,
                 minimal_id_token: bool = False) -> None:
        self.minimal_id_token = minimal_id_token
        self.personas = {p["sub"]: p for p in personas if p.get("can_log_in", True)}
        self.client = client
        self.issuer = issuer.rstrip("/")
        key = RSAKey.generate_key(2048, private=True)
        key.ensure_kid()
        self.kid = str(key.kid)
        self.keys = KeySet([key])
        self.memory = Memory()

    def user_info(self, sub: str) -> UserInfo:
        return UserInfo(persona_claims(self.personas[sub]))

    def public_jwks(self) -> dict[str, Any]:
        return {"keys": [k.as_dict(private=False, use="sig", alg="RS256") for k in self.keys]}

    def discovery(self) -> dict[str, Any]:
        base = self.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks.json",
            "end_session_endpoint": f"{base}/end_session",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "phone"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": list(CLAIM_KEYS),
            DEVELOPMENT_MARKER: True,
        }


def _authorization_server(app: Flask, provider: DevIdentityProvider) -> AuthorizationServer:
    def query_client(client_id: str) -> DevClient | None:
        return provider.client if client_id == provider.client.client_id else None

    def save_token(token: dict[str, Any], req: Any) -> None:
        item = AccessToken(token["access_token"], req.client, req.user, token.get("scope", ""),
                           time.time() + int(token.get("expires_in", TOKEN_SECONDS)))
        with provider.memory.lock:
            provider.memory.tokens[item.access_token] = item

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_grant(_make_grant(provider.memory), [CodeChallenge(required=True), _OpenIDCode(provider)])

    protector = ResourceProtector()

    class Bearer(BearerTokenValidator):
        def authenticate_token(self, token_string: str) -> AccessToken | None:
            with provider.memory.lock:
                return provider.memory.tokens.get(token_string)

    protector.register_token_validator(Bearer())

    class UserInfoView(UserInfoEndpoint):
        def get_issuer(self) -> str:
            return provider.issuer

        def generate_user_info(self, user: str, scope: str) -> UserInfo:
            return provider.user_info(user)

    class EndSession(EndSessionEndpoint):
        def get_server_jwks(self) -> KeySet:
            return provider.keys

        def is_post_logout_redirect_uri_legitimate(self, req: Any, uri: str, client: Any, hint: Any) -> bool:
            # The BFF sends no id_token_hint (the browser never holds the ID token); the URI
            # was already checked against the client's registered post-logout URIs.
            return client is provider.client

        def end_session(self, end_session_request: Any) -> None:
            sub = (end_session_request.id_token_claims or {}).get("sub")
            with provider.memory.lock:  # the provider forgets every token of that person
                for token in [t for t in provider.memory.tokens.values() if t.sub == sub]:
                    provider.memory.tokens.pop(token.access_token, None)

    server.register_endpoint(UserInfoView(resource_protector=protector))
    server.register_endpoint(EndSession)
    return server


def create_devidp_app(personas: list[dict[str, Any]], *, issuer: str, client_id: str, client_secret: str,
                      redirect_uris: list[str], post_logout_redirect_uris: list[str] | None = None,
                      production: bool = False, minimal_id_token: bool = False) -> Flask:
    """The development provider as a WSGI app. Refuses to exist in production mode.

    ``minimal_id_token``: ID tokens carry only ``sub`` (and the protocol claims); the profile is
    served at the userinfo endpoint only.
    """
    if production or os.environ.get("ONETHING_ENV") == "production":
        raise DevIdpRefused("the development identity provider cannot run in production mode")
    client = DevClient(client_id, client_secret, list(redirect_uris), list(post_logout_redirect_uris or []))
    provider = DevIdentityProvider(personas, client, issuer, minimal_id_token=minimal_id_token)
    app = Flask("devidp")
    app.config["SECRET_KEY"] = secrets.token_hex(16)
    app.extensions["devidp"] = provider
    server = _authorization_server(app, provider)
    _routes(app, provider, server)
    return app


def _routes(app: Flask, provider: DevIdentityProvider, server: AuthorizationServer) -> None:
    @app.get("/.well-known/openid-configuration")
    def discovery() -> Response:
        return jsonify(provider.discovery())

    @app.get("/jwks.json")
    def jwks() -> Response:
        return jsonify(provider.public_jwks())

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize() -> Any:
        return _authorize(provider, server)

    @app.post("/token")
    def token() -> Response:
        return server.create_token_response()  # type: ignore[no-any-return]

    @app.route("/userinfo", methods=["GET", "POST"])
    def userinfo() -> Response:
        return server.create_endpoint_response("userinfo")  # type: ignore[no-any-return]

    @app.route("/end_session", methods=["GET", "POST"])
    def end_session() -> Any:
        response = server.create_endpoint_response("end_session")
        if response is not None:
            return response
        return page("已退出 · Signed out", "<p>您已退出开发身份提供方。You are signed out of the development provider.</p>")

    @app.get("/")
    def home() -> Any:
        return redirect("/.well-known/openid-configuration")


def _authorize(provider: DevIdentityProvider, server: AuthorizationServer) -> Any:
    """GET shows the personas; POST signs in the chosen one (or cancels) and redirects back."""
    from authlib.oauth2 import OAuth2Error

    chosen = request.form.get("persona") if request.method == "POST" else None
    try:
        grant = server.get_consent_grant(end_user=chosen)
    except OAuth2Error as error:
        return page("登录请求无效 · Invalid login request",
                     f"<p>{html.escape(error.error)}: {html.escape(error.description or '')}</p>"), 400
    if chosen is None:
        return login_page(list(provider.personas.values()), request.query_string.decode())
    if chosen == "__deny__":
        return server.create_authorization_response(grant_user=None, grant=grant)
    if chosen not in provider.personas:
        return login_page(list(provider.personas.values()), request.query_string.decode()), 400
    return server.create_authorization_response(grant_user=chosen, grant=grant)


class _QuietHandler(WSGIRequestHandler):
    """Logs the method and path only: query strings carry codes and tokens."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.log("info", '"%s %s" %s', self.command, self.path.split("?", 1)[0], code)


def make_devidp_server(app: Flask, host: str, port: int) -> BaseWSGIServer:
    """A threaded HTTP server for the provider (``port`` 0 picks a free one)."""
    return make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
