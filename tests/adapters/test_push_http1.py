"""The push sender's HTTP/1.1 client against a raw socket server writing canned answers."""

from __future__ import annotations

import socket
import threading

import pytest

from bff.adapters.push import http1


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
