"""A fixed-window rate limit in Redis: at most ``limit`` hits per key in each window.

One round trip per hit (INCR and the window's expiry in a pipeline). A fixed window lets a
burst of twice the limit through across a window's edge, which is plenty for what it guards:
keeping an anonymous caller from filling Redis or hammering the identity provider.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import redis as redis_lib


class FixedWindow:
    def __init__(self, client: redis_lib.Redis, prefix: str, *, limit: int, window: int = 60,
                 clock: Callable[[], float] = time.time) -> None:
        self.redis = client
        self.prefix = prefix
        self.limit = limit
        self.window = window
        self.clock = clock

    def hit(self, key: str) -> int | None:
        """Count one hit for ``key``: None while within the limit, else the seconds until the
        window ends (for ``Retry-After``)."""
        now = self.clock()
        window_start = int(now // self.window) * self.window
        name = f"{self.prefix}:{key}:{window_start}"
        pipe = self.redis.pipeline(transaction=False)
        pipe.incr(name)
        pipe.expire(name, self.window + 1, nx=True)  # a little past the window, whatever the clocks
        count, _ = pipe.execute()
        if int(count) <= self.limit:
            return None
        return max(1, math.ceil(window_start + self.window - now))
