"""The push sender's transport on httpx, measured against the home-made one (docs/push-transport.md).

One ``httpx.AsyncClient`` on an event loop owned by the transport, many pushes in flight from the
calling thread. Over TLS it offers HTTP/2 by ALPN, which the big push services (FCM, Mozilla
autopush, Apple) speak: one connection per push service carries every push as a stream. It lives
with the benchmark, not in ``bff``: it missed the goal, and it is kept so that the comparison can
be run again on a new httpx.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import threading
from collections import deque
from collections.abc import Mapping

import httpx

from bff.adapters.push.transport import Answer, Done, Prepare


class HttpxTransport:
    """Up to ``per_origin`` pushes in flight per push service. ``prior_knowledge`` speaks HTTP/2 on
    plain ``http://`` origins too (h2c, no upgrade): only for a local push service (benchmarks)."""

    def __init__(self, timeout: float, per_origin: int, ssl_context: ssl.SSLContext, *,
                 http2: bool = True, prior_knowledge: bool = False) -> None:
        self.timeout, self.per_origin, self.ssl_context = timeout, per_origin, ssl_context
        self.http2, self.prior_knowledge = http2, prior_knowledge
        self._lock = threading.Lock()  # one event loop: one send at a time
        self._pid = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: httpx.AsyncClient | None = None

    def send(self, waiting: Mapping[str, deque[int]], prepare: Prepare, done: Done) -> None:
        with self._lock:
            loop = self._own_loop()
            loop.run_until_complete(self._send_all(waiting, prepare, done))

    def close(self) -> None:
        with self._lock:
            if self._loop is not None and self._pid == os.getpid():
                if self._client is not None:
                    self._loop.run_until_complete(self._client.aclose())
                self._loop.close()
            self._loop, self._client = None, None

    def _own_loop(self) -> asyncio.AbstractEventLoop:
        """This process's loop: an RQ work horse is a fork, and must not share its parent's selector."""
        if self._loop is None or self._pid != os.getpid():
            self._loop, self._client, self._pid = asyncio.new_event_loop(), None, os.getpid()
        return self._loop

    def _client_for_loop(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                verify=self.ssl_context, http1=not self.prior_knowledge, http2=self.http2,
                timeout=httpx.Timeout(self.timeout), follow_redirects=False, trust_env=False,
                # limits are for the whole client: a few push services, ``per_origin`` each
                limits=httpx.Limits(max_connections=None, max_keepalive_connections=4 * self.per_origin,
                                    keepalive_expiry=60))
        return self._client

    async def _send_all(self, waiting: Mapping[str, deque[int]], prepare: Prepare, done: Done) -> None:
        client = self._client_for_loop()
        await asyncio.gather(*(self._send_queue(client, queue, prepare, done)
                               for queue in waiting.values() for _ in range(min(self.per_origin, len(queue)))))

    async def _send_queue(self, client: httpx.AsyncClient, queue: deque[int], prepare: Prepare, done: Done) -> None:
        """One of the ``per_origin`` lanes to a push service: the next push once the last is answered."""
        while queue:
            index = queue.popleft()
            request = prepare(index)
            if request is None:
                continue
            try:
                response = await client.post(request.endpoint, content=request.body, headers=request.headers)
            except httpx.HTTPError as error:  # connection refused or reset, timeout, garbled answer
                done(index, Answer(0, error=type(error).__name__))
                continue
            done(index, Answer(response.status_code, response.headers.get("retry-after"), response.text))
