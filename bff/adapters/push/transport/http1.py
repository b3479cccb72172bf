"""A small HTTP/1.1 client for push services: kept-alive connections, one request in flight per
connection, many connections driven from one thread by a selector.

A push is one short POST answered by a short response, so the general-purpose clients' per-request
work (urllib3's pool bookkeeping, ``http.client``'s e-mail header parser, a thread per request
contending for the GIL) cost more than the encryption. This module writes the request in one
``sendall`` and parses the status line and the few headers a push service sends itself.
Responses with ``Content-Length``, chunked bodies and bodies ended by the server closing the
connection are understood; interim 1xx responses are skipped.
"""

from __future__ import annotations

import re
import select
import socket
import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024
# Request targets and header values we write: visible ASCII only (no CR/LF, no spaces).
SAFE = re.compile(r"[\x21-\x7e]*")


class ProtocolError(Exception):
    """The push service answered with something that is not HTTP/1.x, or closed mid-response."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    keep_alive: bool = True


@dataclass
class _Head:
    status: int
    headers: dict[str, str]
    length: int | None  # None: chunked or until close
    chunked: bool
    keep_alive: bool
    size: int  # bytes of the head, blank line included


def request_bytes(method: str, target: str, host: str, headers: dict[str, str], body: bytes) -> bytes:
    """The request in one buffer; every header value must be visible ASCII or spaces."""
    return request_with_head(method, target, host, header_lines(headers), body)


def header_lines(headers: dict[str, str]) -> bytes:
    """``Name: value`` lines, each ended by CRLF (a value with a line break is refused)."""
    lines = []
    for name, value in headers.items():
        if "\r" in value or "\n" in value:
            raise ValueError(f"header {name} has a line break")
        lines.append(f"{name}: {value}\r\n")
    return "".join(lines).encode("latin-1")


def request_with_head(method: str, target: str, host: str, head: bytes, body: bytes) -> bytes:
    """The request in one buffer, from header lines already encoded (:func:`header_lines`)."""
    return (f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n".encode("latin-1")
            + head + b"\r\n" + body)


@dataclass(eq=False)  # hashed by identity: a key of the selector's maps
class Connection:
    """One kept-alive connection to a push service's origin (``scheme://host[:port]``), opened to
    ``address`` when given (the one that was checked), the host name kept for SNI and the certificate."""

    origin: str
    timeout: float
    ssl_context: ssl.SSLContext | None = None
    address: str | None = None
    sock: socket.socket = field(init=False)
    buffer: bytearray = field(init=False, default_factory=bytearray)
    _head: _Head | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        parts = urlsplit(self.origin)
        secure = parts.scheme == "https"
        host = parts.hostname or ""
        port = parts.port or (443 if secure else 80)
        sock = socket.create_connection((self.address or host, port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if secure:
            context = self.ssl_context or ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=host)
        self.sock = sock

    def fileno(self) -> int:
        return self.sock.fileno()

    def dropped(self) -> bool:
        """True if the idle connection was closed by the server (or has stray bytes): do not reuse."""
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def send(self, request: bytes) -> None:
        self.buffer.clear()
        self._head = None
        self.sock.sendall(request)

    def receive(self) -> Response | None:
        """Read what is available (the socket is readable); the response once it is complete."""
        chunk = self.sock.recv(65536)
        if isinstance(self.sock, ssl.SSLSocket):
            while self.sock.pending():
                chunk += self.sock.recv(65536)
        if not chunk:
            return self._at_close()
        self.buffer += chunk
        return self._complete()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def _complete(self) -> Response | None:
        while self._head is None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > MAX_HEAD:
                    raise ProtocolError("response head too large")
                return None
            head = parse_head(bytes(self.buffer[:end]), end + 4)
            if 100 <= head.status < 200:  # interim response: the real one follows
                del self.buffer[:head.size]
                continue
            self._head = head
        head = self._head
        body = memoryview(self.buffer)[head.size:]
        if head.chunked:
            decoded = decode_chunked(bytes(body))
            if decoded is None:
                return None
            return Response(head.status, head.headers, decoded, head.keep_alive)
        if head.length is None:
            if len(body) > MAX_BODY:
                raise ProtocolError("response body too large")
            return None  # read until the server closes
        if len(body) < head.length:
            return None
        return Response(head.status, head.headers, bytes(body[:head.length]), head.keep_alive)

    def _at_close(self) -> Response:
        head = self._head
        if head is not None and head.length is None and not head.chunked:
            return Response(head.status, head.headers, bytes(self.buffer[head.size:]), keep_alive=False)
        raise ProtocolError("connection closed before the response was complete")


def parse_head(raw: bytes, size: int) -> _Head:
    lines = raw.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:40]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    status = int(code)
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    length: int | None
    if status in (204, 304) or 100 <= status < 200:
        length = 0
    elif chunked:
        length = None
    elif "content-length" in headers:
        text = headers["content-length"]
        length = int(text) if text.isdigit() else -1
        if not 0 <= length <= MAX_BODY:
            raise ProtocolError("bad Content-Length")
    else:
        length, keep_alive = None, False  # the body ends when the server closes
    return _Head(status, headers, length, chunked, keep_alive, size)


def decode_chunked(data: bytes) -> bytes | None:
    """The body of a complete chunked message, or ``None`` if more bytes are needed."""
    body = bytearray()
    position = 0
    while True:
        end = data.find(b"\r\n", position)
        if end < 0:
            return None
        size_text = data[position:end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise ProtocolError("bad chunk size") from None
        position = end + 2
        if size == 0:
            trailer_end = data.find(b"\r\n", position)
            while trailer_end > position:  # skip trailer fields
                position = trailer_end + 2
                trailer_end = data.find(b"\r\n", position)
            return bytes(body) if trailer_end == position else None
        if len(data) < position + size + 2:
            return None
        body += data[position:position + size]
        if len(body) > MAX_BODY:
            raise ProtocolError("response body too large")
        position += size + 2
