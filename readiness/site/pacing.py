"""The pace of the server's own paper object during a LAN-only rehearsal round."""

from __future__ import annotations

import threading
import time


class Pacer:
    """One shared pace for every download of the server's own paper (a known rate for tests and
    a LAN-only round that must not swamp the laptop); None: as fast as the network goes."""

    def __init__(self, mbps: float | None) -> None:
        self.bytes_per_s = mbps * 1e6 / 8 if mbps else None
        self.next_free = 0.0
        self._lock = threading.Lock()

    def delay(self, n: int) -> float:
        if self.bytes_per_s is None:
            return 0.0
        now = time.monotonic()
        with self._lock:
            at = max(now, self.next_free)
            self.next_free = at + n / self.bytes_per_s
        return at - now
