"""The site server's clock (`GET /api/clock` of `readiness serve`), for the clock check.

Only the measurement is recorded (the server's time and this PC's clock before and after), so a
saved snapshot can be judged again. The LAN server is asked directly, never through a proxy. A
failure is recorded as every network failure is: `error` the raw text, `reason` {en, zh}.
"""

from __future__ import annotations

import time
from typing import Any


def site_clock(server_url: str, *, timeout_s: float = 5.0, samples: int = 3, trust: Any = None) -> dict[str, Any]:
    """A few requests, keeping the one with the shortest round trip (its midpoint is the least
    uncertain); "error" says why there is no measurement. trust: the profile's [server] trust
    (core.tls.Trust: the pinned certificate or the CA file), as the PC's reports are sent."""
    from readiness.core.tls import Trust

    url = server_url.strip().rstrip("/") + "/api/clock"
    out: dict[str, Any] = {"url": url, "server_time": None, "sent_at": None, "received_at": None, "rtt_s": None,
                           "error": None, "reason": None}
    from dataclasses import replace

    trust = replace(trust or Trust("server"), lan_only=False)  # no token goes with the clock's question
    session = None
    try:
        session = trust.session(url)  # never through a proxy; the pin or CA file on the server's origin
        for _ in range(samples):
            t0, sent = time.monotonic(), time.time()
            r = session.get(url, timeout=timeout_s)
            received, rtt = time.time(), time.monotonic() - t0
            r.raise_for_status()
            now = r.json()["now"]
            if isinstance(now, bool) or not isinstance(now, (int, float)):
                raise ValueError(f"the server's answer has no time: {str(now)[:40]!r}")
            if out["rtt_s"] is None or rtt < out["rtt_s"]:
                out.update(server_time=float(now), sent_at=round(sent, 3), received_at=round(received, 3),
                           rtt_s=round(rtt, 3))
    except Exception as exc:  # a measurement that failed is a fact too; the check says "cannot tell"
        if out["server_time"] is None:
            from readiness.pc.net.errors import failure

            out.update(failure(exc).to_facts())
            refused = trust.refusal(exc)  # the certificate: the pin or the CA said no, in the setting's words
            if refused is not None:
                out["reason"] = refused.to_dict()
    finally:
        if session is not None:
            session.close()
    return out
