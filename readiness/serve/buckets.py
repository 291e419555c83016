"""A token bucket per key (a client's address, a sender's id): how often each may ask. Used by the
per-address limit around the app (guards.RateLimit) and, inside it, by the branch's doors (each
sender's pace, wrong tokens per address); no HTTP here."""

from __future__ import annotations

import time
from typing import Callable


class Buckets:
    """per_minute for each key, bursts of a quarter of it (at least 10); idle keys forgotten."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(10.0, per_minute / 4)
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str) -> bool:
        """Spend one, if there is one."""
        now = self.clock()
        tokens, last = self.buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if len(self.buckets) > 10000:  # forget idle clients rather than grow without bound
            self.buckets = {h: v for h, v in self.buckets.items() if now - v[1] < 60}
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return False
        self.buckets[key] = (tokens - 1, now)
        return True

    def exhausted(self, key: str) -> bool:
        """Whether this key has nothing left to spend now (without spending)."""
        tokens, last = self.buckets.get(key, (self.capacity, self.clock()))
        return min(self.capacity, tokens + (self.clock() - last) * self.rate) < 1
