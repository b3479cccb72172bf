"""A stand-in for `make run`'s development identity provider on its fixed port.

It answers discovery as that provider does (its own issuer, an ``end_session_endpoint``) and
shows a page at end-session, so a test app that still points at the development issuer is sent
there at logout instead of home, and fails the way it fails beside a running `make run`.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server


def discovery_app(issuer: str) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] == "/.well-known/openid-configuration":
            body = json.dumps({"issuer": issuer, "authorization_endpoint": f"{issuer}/authorize",
                               "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks",
                               "end_session_endpoint": f"{issuer}/end_session"}).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<h1>a development identity provider on a fixed port</h1>"]
    return app


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@contextmanager
def serving_on(port: int) -> Iterator[BaseWSGIServer]:
    server = make_server("127.0.0.1", port, discovery_app(f"http://127.0.0.1:{port}"), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=f"fake-devidp-{port}", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=5)


@contextmanager
def development_ports_taken(ports: tuple[int, ...]) -> Iterator[None]:
    """Each of ``ports`` answers as a development identity provider while inside: served here if
    free (if busy, something, likely `make run`, already listens there, which is the point)."""
    with ExitStack() as stack:
        for port in ports:
            if port_is_free(port):
                stack.enter_context(serving_on(port))
        yield
