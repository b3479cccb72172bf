"""Conformance of the home-made HTTP/1.1 transport: its client against raw socket servers writing
canned answers, and the sender on it (TLS, kept-alive connections, garbled answers, silence)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from py_vapid import Vapid

from bff.adapters.push.sender import PushMessage, WebPushSender
from bff.adapters.push.transport import http1
from bff.adapters.push.transport.resolve import Destinations
from tests.fakes.push_service import FakePushService

# These push services listen on this machine: named as a deployment outside production would.
LOCAL = Destinations.of({"127.0.0.1"}, production=False)


def serve_once(answer: bytes, close: bool = True) -> str:
    """A server that reads one request and writes ``answer`` (then closes, if ``close``)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def run() -> None:
        connection, _ = listener.accept()
        data = b""
        while b"\r\n\r\n" not in data:
            data += connection.recv(65536)
        connection.sendall(answer)
        if close:
            connection.close()
        listener.close()

    threading.Thread(target=run, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}"


def exchange(origin: str) -> http1.Response:
    connection = http1.Connection(origin, timeout=5)
    connection.send(http1.request_bytes("POST", "/push/x", "h", {"TTL": "60"}, b"body"))
    while (response := connection.receive()) is None:
        pass
    connection.close()
    return response


def test_a_response_with_a_length_keeps_the_connection():
    response = exchange(serve_once(b"HTTP/1.1 201 Created\r\nLocation: /m/1\r\nContent-Length: 2\r\n\r\nok", close=False))
    assert (response.status, response.body, response.keep_alive, response.headers["location"]) == (201, b"ok", True, "/m/1")


def test_a_chunked_body_after_an_interim_response():
    answer = (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
              b"4\r\nbad \r\n3;x=y\r\nkey\r\n0\r\n\r\n")
    response = exchange(serve_once(answer, close=False))
    assert (response.status, response.body) == (400, b"bad key")


def test_a_body_without_a_length_ends_when_the_server_closes():
    response = exchange(serve_once(b"HTTP/1.0 429 Too Many\r\nRetry-After: 7\r\n\r\nslow down"))
    assert (response.status, response.body, response.keep_alive, response.headers["retry-after"]) == (
        429, b"slow down", False, "7")


def test_connection_close_is_honoured():
    response = exchange(serve_once(b"HTTP/1.1 410 Gone\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"))
    assert response.status == 410 and not response.keep_alive


def test_a_connection_closed_mid_response_is_an_error():
    with pytest.raises(http1.ProtocolError):
        exchange(serve_once(b"HTTP/1.1 201 Created\r\nContent-Length: 10\r\n\r\nshort"))


def test_garbage_is_not_taken_for_http():
    with pytest.raises(http1.ProtocolError):
        exchange(serve_once(b"SSH-2.0-OpenSSH\r\n\r\n"))


def test_header_values_cannot_smuggle_lines():
    with pytest.raises(ValueError, match="line break"):
        http1.request_bytes("POST", "/", "h", {"Topic": "a\r\nX-Evil: 1"}, b"")


def test_a_garbled_length_is_a_protocol_error():
    origin = serve_once(b"HTTP/1.1 201 Created\r\nContent-Length: 12abc\r\n\r\n")
    with pytest.raises(http1.ProtocolError):
        exchange(origin)


def self_signed(tmp_path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "push.test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
                   .not_valid_after(now + dt.timedelta(hours=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


def read_request(connection: socket.socket) -> bytes:
    """One request: its head, then as many body bytes as its Content-Length says."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += connection.recv(65536)
    return data


def serve_tls(cert_file: str, key_file: str, answers: int) -> tuple[str, list[bytes]]:
    """A TLS server answering ``answers`` requests on one kept-alive connection with 201."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    listener = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def run() -> None:
        raw, _ = listener.accept()
        try:
            with context.wrap_socket(raw, server_side=True) as connection:
                for _ in range(answers):
                    received.append(read_request(connection))
                    connection.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        except (OSError, ssl.SSLError):
            pass  # a client that refused our certificate
        finally:
            listener.close()

    threading.Thread(target=run, daemon=True).start()
    return f"https://127.0.0.1:{listener.getsockname()[1]}", received


def test_pushes_go_over_tls_on_one_kept_alive_connection(tmp_path):
    import ssl

    cert_file, key_file = self_signed(tmp_path)
    origin, received = serve_tls(cert_file, key_file, answers=2)
    connection = http1.Connection(origin, timeout=5, ssl_context=ssl.create_default_context(cafile=cert_file))
    try:
        for _ in range(2):
            connection.send(http1.request_bytes("POST", "/push/x", "127.0.0.1", {"TTL": "60"}, b"body"))
            while (response := connection.receive()) is None:
                pass
            assert response.status == 201 and response.keep_alive
    finally:
        connection.close()
    assert len(received) == 2 and all(request.startswith(b"POST /push/x HTTP/1.1\r\n") for request in received)


def test_a_push_service_with_an_untrusted_certificate_is_refused(tmp_path):
    import ssl

    cert_file, key_file = self_signed(tmp_path)
    origin, received = serve_tls(cert_file, key_file, answers=1)
    with pytest.raises(ssl.SSLCertVerificationError):
        http1.Connection(origin, timeout=5, ssl_context=ssl.create_default_context())
    assert received == []


# --- the sender on this transport ---------------------------------------------------------------

PUSH = PushMessage(b'{"title":"t"}', ttl=60, urgency="normal", topic="t")


@pytest.fixture(scope="module")
def sender_key() -> Vapid:
    key = Vapid()
    key.generate_keys()
    return key


def subscription(origin: str, token: str = "x") -> dict:
    return {"endpoint": f"{origin}/push/{token}", "keys": FakePushService().new_subscriber().subscription_info()["keys"]}


def test_the_sender_sends_pushes_over_tls_on_one_kept_alive_connection(tmp_path, sender_key):
    cert_file, key_file = self_signed(tmp_path)
    origin, received = serve_tls(cert_file, key_file, answers=3)
    sender = WebPushSender(sender_key, "mailto:ops@onething.example", destinations=LOCAL, ca_file=cert_file,
                           connections_per_service=1)
    try:
        results = sender.send_many([subscription(origin, "a"), subscription(origin, "b")], PUSH)
        again = sender.send(subscription(origin, "c"), PUSH)
    finally:
        sender.close()
    assert [r.status for r in results] == [201, 201] and again.delivered
    assert [request.split(b" ")[1] for request in received] == [b"/push/a", b"/push/b", b"/push/c"]


def test_the_sender_refuses_a_push_service_whose_certificate_certifi_does_not_trust(tmp_path, sender_key):
    cert_file, key_file = self_signed(tmp_path)
    origin, received = serve_tls(cert_file, key_file, answers=1)
    result = WebPushSender(sender_key, "mailto:ops@onething.example", destinations=LOCAL).send(subscription(origin), PUSH)
    assert result.status == 0 and not result.delivered and result.retry_after is not None
    assert "SSL" in (result.error or "") and received == []


def test_a_garbled_answer_is_retried_later_not_raised(sender_key):
    origin = serve_once(b"HTTP/1.1 201 Created\r\nContent-Length: 12abc\r\n\r\n")
    result = WebPushSender(sender_key, "mailto:ops@onething.example", destinations=LOCAL, default_retry_after=9).send(
        subscription(origin), PUSH)
    assert (result.status, result.retry_after, result.error) == (0, 9, "ProtocolError")


def test_a_push_service_that_never_answers_is_given_up_after_the_timeout(sender_key):
    listener = socket.create_server(("127.0.0.1", 0))  # accepts (the kernel's backlog) but never answers
    origin = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        result = WebPushSender(sender_key, "mailto:ops@onething.example", destinations=LOCAL,
                               timeout=0.3).send(subscription(origin), PUSH)
    finally:
        listener.close()
    assert (result.status, result.error) == (0, "timeout") and result.retry_after is not None


def test_a_kept_alive_connection_the_push_service_closed_while_idle_is_not_reused(sender_key):
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_each_connection_once() -> None:
        for _ in range(2):
            connection, _ = listener.accept()
            read_request(connection)
            connection.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")  # keep-alive, then closed
            connection.close()
        listener.close()

    threading.Thread(target=answer_each_connection_once, daemon=True).start()
    origin = f"http://127.0.0.1:{listener.getsockname()[1]}"
    sender = WebPushSender(sender_key, "mailto:ops@onething.example", destinations=LOCAL)
    first = sender.send(subscription(origin), PUSH)
    time.sleep(0.2)  # the service's close has arrived
    second = sender.send(subscription(origin), PUSH)
    assert first.delivered and second.delivered
