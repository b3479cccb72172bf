"""The application factory: config, extensions, auth wiring, blueprints, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from flask import Flask, Request, Response, g, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SessionInterface
from flask_compress import Compress
from flask_smorest import abort
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

from auth.permissions import ATTR, AccessDenied, enforce, rule_for
from auth.sessions import SIGNED_IN_HINT, SessionStore
from bff import config as config_module
from bff import outbox
from bff.api.acting import wire_acting
from bff.api.schemas import IdConverter
from bff.cli import register_cli
from bff.core.catalog import use_catalog_dir
from bff.core.text import Text
from bff.errors import register_error_handlers
from bff.extensions import api, db, redis
from bff.jobs.queue import RqHandOff
from bff.logging_setup import configure_logging
from bff.outbox import AfterCommit
from bff.store import crypto
from bff.web import register_web

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_HEADER = "X-OneThing-CSRF"


class NoCookieSession(SessionInterface):
    """Sessions live in Redis (auth.sessions) behind an opaque cookie; Flask's signed-cookie
    session is never used, so no request pays for opening or saving one."""

    def open_session(self, app: Flask, request: Request) -> None:
        return None  # Flask substitutes its read-only null session

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        return None


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider on orjson: the same values out (dates still through Flask's own
    hook), but keys in the order the code builds them and Chinese text as UTF-8, not escapes."""

    sort_keys = False
    ensure_ascii = False
    OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME

    def _options(self, sort_keys: bool, indent: Any) -> int:
        return self.OPTIONS | (orjson.OPT_SORT_KEYS if sort_keys else 0) | (orjson.OPT_INDENT_2 if indent else 0)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.keys() - {"default", "ensure_ascii", "sort_keys", "separators", "indent"}:
            return super().dumps(obj, **kwargs)  # an option orjson lacks: the standard library
        options = self._options(kwargs.get("sort_keys", self.sort_keys), kwargs.get("indent"))
        return orjson.dumps(obj, default=kwargs.get("default", self.default), option=options).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return super().loads(s, **kwargs) if kwargs else orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        body = orjson.dumps(self._prepare_response_obj(args, kwargs), default=self.default,
                            option=self._options(self.sort_keys, self._app.debug) | orjson.OPT_APPEND_NEWLINE)
        return Response(body, mimetype=self.mimetype)  # the app's own response_class is Flask's


def create_app(config: dict[str, Any] | None = None, *, after_commit: AfterCommit | None = None) -> Flask:
    """The app. ``after_commit`` takes the outbox's hand-off after each commit (RQ by default)."""
    app = Flask(__name__, static_folder=None)
    config_module.load_config(app, config)
    app.session_interface = NoCookieSession()
    app.json = FastJSONProvider(app)
    app.url_map.converters["int"] = IdConverter  # before any route: every <int:…> id is 1..2^63-1
    if app.config["TRUSTED_PROXIES"]:
        # Behind N reverse proxies: take the client address and scheme from their headers.
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    configure_logging(app)
    use_catalog_dir(Path(app.config["CATALOG_DIR"]) if app.config["CATALOG_DIR"] else None)
    crypto.configure(app.config["PII_KEY"], app.config["PII_HASH_KEY"])
    db.init_app(app)
    redis.init_app(app)
    api.init_app(app)
    Compress(app)
    register_error_handlers(app)
    register_web(app)
    register_blueprints(app)
    wire_auth(app)
    wire_acting(app)  # after the access rule: an acting request's mandate is checked on each request
    register_cli(app)
    wire_outbox(app, after_commit or RqHandOff(app))
    return app


def wire_outbox(app: Flask, port: AfterCommit) -> None:
    """Hand what each commit of the app's sessions wrote to ``port`` (``bff.outbox``)."""
    state = app.extensions["db"]
    for factory in (state.factory, state.read_factory):
        outbox.connect(factory, port)


def register_blueprints(app: Flask) -> None:
    from bff.api import auth, fields, health, kiosks, mandates, me, metrics, qr_login, ratings, staff

    app.register_blueprint(health.blp)
    app.register_blueprint(metrics.blp)
    for identity_blp in (auth.blp, me.blp, qr_login.blp, kiosks.blp, mandates.blp):
        api.register_blueprint(identity_blp)
    register_application_blueprints(app)
    register_notification_blueprint()
    staff.register(api)  # service desk
    ratings.register(api)  # 好差评 and its follow-up
    api.register_blueprint(fields.blp)  # field labels for pages that show answers by key
    from bff.api import catalog  # life events, bundles, combined form
    api.register_blueprint(catalog.blp)
    from bff.api import offers  # proactive service: offers, automatic grants
    api.register_blueprint(offers.blp)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith("api-docs."):  # flask-smorest's OpenAPI JSON is public
            app.view_functions[endpoint] = _public(view)


def register_notification_blueprint() -> None:
    """Push subscriptions, inbox, preferences, live events."""
    from bff.api import notifications

    api.register_blueprint(notifications.blp)


def register_application_blueprints(app: Flask) -> None:
    """Applications, officer workbench, department callbacks, certificates."""
    from bff.api import applications, callbacks, certificates, consents, family, officer, uploads

    for blueprint in (applications.blp, family.blp, officer.blp, callbacks.blp, certificates.blp):
        api.register_blueprint(blueprint)
    api.register_blueprint(consents.blp)  # heirs' consent for inheritance items
    api.register_blueprint(uploads.blp)  # documents the law needs
    app.register_blueprint(certificates.pages)


def _public(view: Any) -> Any:
    def public_view(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)

    setattr(public_view, ATTR, "public")
    return public_view


def wire_auth(app: Flask) -> None:
    """Load the session of each request and enforce the route's declared access rule."""
    store = SessionStore(app.extensions["redis"])
    app.extensions["sessions"] = store
    cookie_name = app.config["SESSION_COOKIE_NAME"]

    app.before_request(lambda: limit_body_size(app))

    @app.before_request
    def authorise() -> None:
        if request.endpoint is None or request.method == "OPTIONS":
            return  # unknown route (404) or automatic OPTIONS
        rule = rule_for(app.view_functions[request.endpoint], request.method)
        g.access_rule = rule
        g.session = store.get(request.cookies.get(cookie_name)) if rule != "department" else None
        g.principal = g.session.principal() if g.session else None
        try:
            enforce(rule, g.principal)
        except AccessDenied as denied:
            abort(denied.status)
        if request.method not in SAFE_METHODS and rule != "department":
            if request.headers.get(CSRF_HEADER) != "1":
                abort(403, message=_csrf_message())
            refuse_foreign_origin(app)

    limit_json_bodies(app)  # after authorise: registered in this order, run in this order

    from bff.api.auth import set_signed_in_hint  # the blueprints are registered by now

    hint = ("__Host-" if app.config["ENV"] == "production" else "") + SIGNED_IN_HINT

    @app.after_request
    def signed_in_hint(response: Response) -> Response:
        # The PWA-readable hint kept in step with the session on each answer (restored while it
        # lives, cleared once it has ended), so a signed-out browser never asks /api/v1/me for a 401.
        if g.get("access_rule") == "department" or any(
                cookie.startswith(f"{hint}=") for cookie in response.headers.getlist("Set-Cookie")):
            return response  # a department's system; or login or logout set it already
        has_hint = hint in request.cookies
        if g.get("session") is not None and not has_hint:
            set_signed_in_hint(response, signed_in=True)
        elif g.get("session") is None and has_hint and request.endpoint is not None:
            set_signed_in_hint(response, signed_in=False)
        return response


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` as a browser writes it in ``Origin``: lower case, no default port."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    try:
        port = parts.port
    except ValueError:
        return ""  # not a URL a browser would send: matches no allowed origin
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


def refuse_foreign_origin(app: Flask) -> None:
    """A second line behind the CSRF header: a browser names the page that sent a request in
    ``Origin``, so a change sent from any other site is refused even if a future CORS or header
    mistake lets the custom header through. No ``Origin`` (a command-line client, a server) passes,
    as the header cannot be forged by a page. Outside production the request's own host is also
    ours, so a developer reaching the app on another address than the public URL can work."""
    origin = request.headers.get("Origin")
    if origin is None:
        return
    allowed = {origin_of(app.config["PUBLIC_URL"])}
    if app.config["ENV"] != "production":
        allowed.add(origin_of(request.host_url))
    if origin_of(origin) not in allowed:
        message = _foreign_origin_message()
        abort(403, message=message, errors={"headers": {"Origin": [message]}}, reason="cross_origin")


def _foreign_origin_message() -> str:
    from bff.core.text import Text
    from bff.i18n import t

    return t(Text("此请求来自其他网站，已被拒绝。请在本站页面上操作。",
                  "This request came from another website and was refused; please use this site's own pages."))
def limit_body_size(app: Flask) -> None:
    """Refuse a body over the limit on its declared length, before routing, so no route reads an
    oversize body. A route may name a larger limit (an upload: its setting, plus the multipart framing)."""
    view = app.view_functions.get(request.endpoint or "")
    setting = getattr(view, "body_limit_setting", None)
    limit = int(app.config[setting]) + 64 * 1024 if setting else int(app.config["MAX_CONTENT_LENGTH"])
    if setting:
        request.max_content_length = limit
    if (request.content_length or 0) > limit:
        if setting:
            abort(413, message=body_too_large_message(int(app.config[setting])), reason="upload_too_large")
        abort(413)


def body_too_large_message(limit_bytes: int) -> str:
    from bff.core.uploads import too_large
    from bff.i18n import t

    return t(too_large(limit_bytes).message)


def limit_json_bodies(app: Flask) -> None:
    """Refuse a JSON body over JSON_MAX_BYTES (413) or nested deeper than JSON_MAX_DEPTH (400)."""

    @app.before_request
    def limit_json() -> None:
        # After authorisation, so an anonymous caller never gets a body parsed. A deeply nested
        # body would overflow the stack of whatever walks it later (a RecursionError, a 500).
        if request.method in SAFE_METHODS or not request.is_json or request.endpoint is None:
            return
        if len(request.get_data(cache=True)) > int(app.config["JSON_MAX_BYTES"]):
            abort(413)
        try:
            body = request.get_json()
        except BadRequest:
            # Refused here: the views' parser (the standard library's) would recurse itself into a
            # RecursionError on a body nested deeper than orjson accepts.
            abort(400, message=_json_message(NOT_JSON), reason="json_invalid")
        if json_depth(body, int(app.config["JSON_MAX_DEPTH"])) > int(app.config["JSON_MAX_DEPTH"]):
            abort(400, message=_json_message(TOO_DEEP), reason="json_too_deep")


def json_depth(value: Any, limit: int) -> int:
    """How deep arrays and objects nest in ``value`` (a scalar is 0), counted without recursion
    and stopping as soon as ``limit`` is passed."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


TOO_DEEP = Text("提交的内容层级过深，无法处理。", "What you sent is nested too deeply to be processed.")
NOT_JSON = Text("提交的内容不是有效的 JSON，或层级过深。", "What you sent is not valid JSON, or is nested too deeply.")


def _json_message(text: Text) -> str:
    from bff.i18n import t

    return t(text)


def _csrf_message() -> str:
    from bff.core.text import Text
    from bff.i18n import t

    return t(Text("请求缺少安全校验，请刷新页面后重试。",
                  "This request is missing its security check; reload the page and try again."))
