"""A local push service over real HTTP, standing in for FCM / Mozilla autopush / APNs web push.

It does what a real one checks: the VAPID ES256 JWT (signature by the ``k=`` key, ``aud``
is this origin, ``exp`` within 24 h) and the aes128gcm body, which it decrypts with the
subscriber's private key and auth secret exactly as the browser would. Each subscriber
can be told to answer 410 Gone, 429 with ``Retry-After``, or 500.

It also takes a browser's subscription request (``POST /registrations``, the part of the protocol
between a browser and its vendor's push service): it answers with a new subscriber's subscription,
or, told to ``hang_registrations``, never answers until the service stops — a push service that
cannot be reached.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import Flask, request
from werkzeug.serving import WSGIRequestHandler, make_server


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url_encode(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


@dataclass
class FakeSubscriber:
    """A browser's side of a subscription: its P-256 key pair and 16-byte auth secret."""

    token: str
    endpoint: str
    answer: str = "created"  # created | gone | throttle | error | stall
    throttle_times: int = 1  # how many 429s before it accepts
    retry_after: str = "1"
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    # "stall": the first push is held (``arrived`` set) until ``released``, then accepted.
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def subscription_info(self) -> dict[str, Any]:
        public = self.private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64url_encode(public), "auth": b64url_encode(self.auth_secret)}}


@dataclass
class Received:
    token: str
    status: int
    headers: dict[str, str]
    claims: dict[str, Any] | None = None
    payload: dict[str, Any] | None = None
    error: str | None = None
    at: float = field(default_factory=time.time)  # when it arrived (bench: callback-to-push latency)


class FakePushService:
    def __init__(self) -> None:
        self.subscribers: dict[str, FakeSubscriber] = {}
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.app = self._build_app()
        self.server: Any = None
        self.url = ""
        self.check_every = 1  # benchmarks may verify and decrypt only every n-th push (not tests)
        self.hang_registrations = False
        self.registration_requests = 0
        self._stopped = threading.Event()
        self._count = 0
        # A sender signs one JWT per push service for hours: its signature is checked once, as a real
        # push service would; aud and exp are checked on every push.
        self._signed: dict[str, dict[str, Any]] = {}

    # --- lifecycle
    def start(self) -> FakePushService:
        WSGIRequestHandler.protocol_version = "HTTP/1.1"  # keep-alive, like a real push service
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, name="fake-push", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()  # requests left hanging return now
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # --- test helpers
    def new_subscriber(self, answer: str = "created", **options: Any) -> FakeSubscriber:
        token = secrets.token_urlsafe(12)
        subscriber = FakeSubscriber(token=token, endpoint=f"{self.url}/push/{token}", answer=answer, **options)
        self.subscribers[token] = subscriber
        return subscriber

    def delivered(self, subscriber: FakeSubscriber | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.status == 201 and (subscriber is None or r.token == subscriber.token)]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.delivered()) < count:
            time.sleep(0.01)
        return self.delivered()

    # --- the push service
    def _build_app(self) -> Flask:
        app = Flask("fake_push_service")

        @app.post("/push/<token>")
        def push(token: str) -> tuple[str, int, dict[str, str]]:
            headers = {k.lower(): v for k, v in request.headers.items()}
            status, extra = self.handle_push(token, headers, request.get_data(), request.host_url.rstrip("/"))
            return "", status, extra

        @app.post("/registrations")
        def register() -> tuple[Any, int]:
            with self.lock:
                self.registration_requests += 1
            if self.hang_registrations:
                self._stopped.wait()
                return "", 503
            return self.new_subscriber().subscription_info(), 201

        return app

    def handle_push(self, token: str, headers: dict[str, str], body: bytes, audience: str) -> tuple[int, dict[str, str]]:
        """Check and accept one push (headers with lower-case names); records what arrived."""
        status, extra, record = self._handle(token, headers, body, audience)
        with self.lock:
            self.received.append(record)
        return status, extra

    def _handle(self, token: str, headers: dict[str, str], body: bytes,
                audience: str) -> tuple[int, dict[str, str], Received]:
        record = Received(token=token, status=0, headers=headers)
        subscriber = self.subscribers.get(token)
        if subscriber is None:
            record.status = 404
            return 404, {}, record
        with self.lock:
            self._count += 1
            full_check = self._count % self.check_every == 0
        if full_check:
            try:
                record.claims = self._verify(headers.get("authorization", ""), audience)
            except ValueError as error:
                record.status, record.error = 401, str(error)
                return 401, {}, record
        if subscriber.answer == "stall" and not subscriber.released.is_set():
            subscriber.arrived.set()
            subscriber.released.wait(30)
        if subscriber.answer == "gone":
            record.status = 410
            return 410, {}, record
        if subscriber.answer == "throttle" and subscriber.throttle_times > 0:
            subscriber.throttle_times -= 1
            record.status = 429
            return 429, {"Retry-After": subscriber.retry_after}, record
        if subscriber.answer == "error":
            record.status = 500
            return 500, {}, record
        if full_check:
            plaintext = http_ece.decrypt(body, private_key=subscriber.private_key,
                                         auth_secret=subscriber.auth_secret, version="aes128gcm")
            record.payload = json.loads(plaintext)
        record.status = 201
        return 201, {"Location": f"{self.url}/messages/{secrets.token_hex(6)}"}, record

    def _verify(self, authorization: str, audience: str) -> dict[str, Any]:
        claims = self._signed.get(authorization)
        if claims is None:
            claims = verify_vapid(authorization, audience)
            if len(self._signed) < 1000:
                self._signed[authorization] = claims
        return check_claims(claims, audience)


def verify_vapid(authorization: str, audience: str) -> dict[str, Any]:
    """Check ``vapid t=<JWT>, k=<public key>`` (RFC 8292): ES256 signature, aud and exp."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError("not a vapid Authorization")
    parts = dict(part.strip().split("=", 1) for part in params.split(","))
    token, key = parts["t"], parts["k"]
    header_b64, claims_b64, signature_b64 = token.split(".")
    if json.loads(b64url_decode(header_b64)).get("alg") != "ES256":
        raise ValueError("JWT alg is not ES256")
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    raw = b64url_decode(signature_b64)
    signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public_key.verify(signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise ValueError("bad VAPID signature") from error
    return check_claims(json.loads(b64url_decode(claims_b64)), audience)


def check_claims(claims: dict[str, Any], audience: str) -> dict[str, Any]:
    """The claims of a VAPID JWT whose signature was checked: for this push service, and not expired."""
    if claims.get("aud") != audience:
        raise ValueError(f"aud {claims.get('aud')!r} is not {audience!r}")
    if not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
        raise ValueError("exp missing, past, or more than 24 h ahead")
    return dict(claims)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


class _ServerProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive for the standalone service (requests with ``Content-Length``), or
    HTTP/2 when the client opens with the HTTP/2 preface, as the big push services speak it."""

    def __init__(self, service: FakePushService) -> None:
        self.service = service
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.h2: _H2Server | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        if self.h2 is not None:
            self.h2.receive(data)
            return
        self.buffer += data
        if self.buffer.startswith(H2_PREFACE[:len(self.buffer)]):  # HTTP/2 with prior knowledge (h2c)
            if len(self.buffer) >= len(H2_PREFACE):
                self.h2 = _H2Server(self.service, self.transport)
                self.h2.receive(bytes(self.buffer))
            return
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            lines = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = bytes(self.buffer[end + 4:end + 4 + length])
            del self.buffer[:end + 4 + length]
            method, target, _ = lines[0].split(" ", 2)
            status, extra, content = _route(self.service, method, target, headers, body)
            head = [f"HTTP/1.1 {status} {'OK' if status < 400 else 'Error'}", f"Content-Length: {len(content)}"]
            head += [f"{name}: {value}" for name, value in extra.items()]
            self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode() + content)


class _H2Server:
    """One HTTP/2 connection of the standalone service (the ``h2`` package's state machine): each
    stream is one request, answered when its body has ended."""

    def __init__(self, service: FakePushService, transport: asyncio.Transport) -> None:
        import h2.config
        import h2.connection

        self.service, self.transport = service, transport
        self.connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False,
                                                                               header_encoding="utf-8"))
        self.connection.initiate_connection()
        self.streams: dict[int, tuple[dict[str, str], bytearray]] = {}

    def receive(self, data: bytes) -> None:
        import h2.events

        for event in self.connection.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                self.streams[event.stream_id] = ({str(k): str(v) for k, v in event.headers or []}, bytearray())
            elif isinstance(event, h2.events.DataReceived):
                self.streams[event.stream_id][1].extend(event.data or b"")
                self.connection.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                self.answer(event.stream_id)
        self.transport.write(self.connection.data_to_send())

    def answer(self, stream_id: int) -> None:
        headers, body = self.streams.pop(stream_id)
        status, extra, content = _route(self.service, headers[":method"], headers[":path"], headers, bytes(body))
        self.connection.send_headers(stream_id, [(":status", str(status)), ("content-length", str(len(content))),
                                                 *((name.lower(), value) for name, value in extra.items())],
                                     end_stream=not content)
        if content:
            self.connection.send_data(stream_id, content, end_stream=True)


def _route(service: FakePushService, method: str, target: str, headers: dict[str, str],
           body: bytes) -> tuple[int, dict[str, str], bytes]:
    """The standalone service's routes: ``POST /push/<token>``, ``POST /subscribers``, ``GET /delivered``."""
    if method == "POST" and target.startswith("/push/"):
        status, extra = service.handle_push(target.removeprefix("/push/"), headers, body, service.url)
        return status, extra, b""
    json_type = {"Content-Type": "application/json"}
    if method == "POST" and target == "/subscribers":
        return 200, json_type, json.dumps(service.new_subscriber().subscription_info()).encode()
    if method == "GET" and target == "/delivered":
        rows = [[(r.payload or {}).get("kind"), (r.payload or {}).get("number"), r.at] for r in service.delivered()]
        return 200, json_type, json.dumps(rows).encode()
    return 404, {}, b""


def serve_standalone(port: int, check_every: int) -> None:
    """The fake push service as a process of its own (benchmarks), on asyncio with keep-alive
    (HTTP/1.1, or HTTP/2 with prior knowledge), so that it shares neither the sender's GIL nor a
    general-purpose server's per-request cost: what it spends is what a push service must (verify
    the VAPID JWT, decrypt the payload).

    ``POST /subscribers`` makes a subscriber and returns its subscription info;
    ``GET /delivered`` returns ``[[kind, number, at], …]`` of what was accepted (kind and
    number are null for the pushes not decrypted when ``check_every`` > 1).
    """
    service = FakePushService()
    service.check_every, service.url = check_every, f"http://127.0.0.1:{port}"

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(lambda: _ServerProtocol(service), "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


if __name__ == "__main__":
    serve_standalone(int(sys.argv[1]), int(sys.argv[2]))
