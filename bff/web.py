"""Serves the PWA's static files and sets the security headers of every response.

Assets live under ``/static/<version>/…`` where the version is a hash of the
``pwa/`` tree, so they can be cached for a year; HTML pages and the service
worker are revalidated on every load. Pages are written with the placeholder
``{{v}}`` where the asset version goes (no build step).
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, request, send_from_directory

from auth.permissions import access

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"
PAGES = {"": "index.html", "kiosk": "index.html", "staff": "index.html", "officer": "index.html",
         "offline": "offline.html"}
YEAR = 31536000

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")

web = Blueprint("web", __name__)


def asset_version(root: Path = PWA_DIR) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@functools.lru_cache(maxsize=32)
def _versioned(name: str, version: str) -> str:
    """A file of pwa/ with its asset version filled in; read once per version (the version hashes the files)."""
    return (PWA_DIR / name).read_text(encoding="utf-8").replace("{{v}}", version)


def versioned_response(name: str, mimetype: str) -> Response:
    """A page, the service worker or the manifest: revalidated on every load, never stale."""
    response = Response(_versioned(name, current_app.config["ASSET_VERSION"]), mimetype=mimetype)
    response.headers["Cache-Control"] = "no-cache"
    return response


def render_page(name: str) -> Response:
    return versioned_response(name, "text/html")


@web.get("/")
@web.get("/<any(kiosk, staff, officer, offline):page>")
@access("public")
def page(page: str = "") -> Response:
    return render_page(PAGES[page])


@web.get("/app/<path:_route>")
@access("public")
def app_route(_route: str) -> Response:
    """Client-side routes of the app shell (deep links, push-notification clicks)."""
    return render_page("index.html")


@web.get("/sw.js")
@access("public")
def service_worker() -> Response:
    response = versioned_response("sw.js", "text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@web.get("/manifest.webmanifest")
@access("public")
def manifest() -> Response:
    return versioned_response("manifest.webmanifest", "application/manifest+json")


@web.get("/static/<version>/<path:filename>")
@access("public")
def static_asset(version: str, filename: str) -> Response:
    response = send_from_directory(PWA_DIR, filename, max_age=0)
    if version == current_app.config["ASSET_VERSION"]:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:  # an old page asking for an old version: serve the current file, briefly cached
        response.headers["Cache-Control"] = "no-cache"
    return response


@web.get("/api/docs")
@access("public")
def api_docs() -> Response:
    return render_page("api-docs.html")


def content_security_policy(app: Flask) -> str:
    issuer = app.config.get("OIDC_ISSUER", "")
    form_action = "'self'" + (f" {issuer}" if issuer.startswith("http") else "")
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        f"form-action {form_action}",
        "frame-ancestors 'none'",
    ])


def register_web(app: Flask) -> None:
    app.config["ASSET_VERSION"] = asset_version()
    csp = content_security_policy(app)
    production = app.config["ENV"] == "production"
    app.register_blueprint(web)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if production:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if request.path.startswith(("/api/v1", "/auth/")):
            headers.setdefault("Cache-Control", "no-store")  # public catalog reads set their own
        return response
