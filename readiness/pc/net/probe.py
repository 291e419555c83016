"""Reaching the exam server: DNS, TCP connect, TLS handshake (verified), HTTP status, each timed.

The step that fails is the one a technician reports to the network people, so it is named.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from readiness.core.i18n import Text
from readiness.pc.net.errors import TIMED_OUT, TLS, NetFailure, failure, http_status


def _ms(t0: float) -> float:
    return round((time.monotonic() - t0) * 1000, 1)


def environment_proxy(url: str) -> str | None:
    import requests

    proxies = requests.utils.get_environ_proxies(url)
    return proxies.get(urlsplit(url).scheme) or proxies.get("all")


def resolve(host: str, port: int, timeout_s: float) -> list[Any]:
    """getaddrinfo with a timeout: the system resolver has none of its own that we control."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            result["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        raise TimeoutError(f"no DNS answer within {timeout_s:g} s")
    if "error" in result:
        raise result["error"]
    return result["infos"]


def probe(url: str, *, timeout_s: float = 5.0, verify: bool | str = True) -> dict[str, Any]:
    import requests

    parts = urlsplit(url)
    host, scheme = parts.hostname or "", parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    out: dict[str, Any] = {"url": url, "proxy": environment_proxy(url), "addresses": [], "dns_ms": None,
                           "connect_ms": None, "tls_ms": None, "http_ms": None, "status": None,
                           "ok": False, "failed_step": None, "error": None, "reason": None,
                           # the clock check's measurement: the server's Date and this PC's clock around it
                           "date": None, "age": None, "sent_at": None, "received_at": None, "rtt_s": None,
                           "date_unverified": False}
    step = "dns"
    try:
        if out["proxy"] is None:  # through a proxy only the HTTP step says anything about the server
            t0 = time.monotonic()
            infos = resolve(host, port, timeout_s)
            out["dns_ms"] = _ms(t0)
            out["addresses"] = sorted({i[4][0] for i in infos})
            step = "connect"
            t0 = time.monotonic()
            sock = socket.create_connection((infos[0][4][0], port), timeout=timeout_s)
            out["connect_ms"] = _ms(t0)
            try:
                if scheme == "https":
                    step = "tls"
                    ctx = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
                    if verify is False:
                        ctx.check_hostname = False
                        ctx.verify_mode = ssl.CERT_NONE
                    t0 = time.monotonic()
                    with ctx.wrap_socket(sock, server_hostname=host):
                        out["tls_ms"] = _ms(t0)
            finally:
                sock.close()
        step = "http"
        t0 = time.monotonic()
        sent = time.time()
        with requests.get(url, timeout=timeout_s, verify=verify, allow_redirects=False, stream=True) as resp:
            received, rtt = time.time(), time.monotonic() - t0  # the headers are in: Date was read by now
            out["status"] = resp.status_code
            out.update(date=resp.headers.get("Date"), age=resp.headers.get("Age"), sent_at=round(sent, 3),
                       received_at=round(received, 3), rtt_s=round(rtt, 3))
        out["http_ms"] = _ms(t0)
        if out["status"] >= 400:
            raise NetFailure(http_status(out["status"]), f"HTTP {out['status']}")
        out["ok"] = True
    except socket.gaierror as exc:
        out.update(failed_step=step, **NetFailure(
            Text(f"the name {host} could not be found (DNS)", f"域名 {host} 无法解析（DNS）"),
            f"the name {host} could not be resolved ({exc.strerror or exc})").to_facts())
    except ssl.SSLCertVerificationError as exc:
        out.update(failed_step=step, **NetFailure(TLS, f"certificate not accepted: {exc.verify_message or exc}").to_facts())
        if exc.verify_code in CERT_DATE_CODES:
            out.update(unverified_date(url, timeout_s))
    except (socket.timeout, TimeoutError):
        out.update(failed_step=step, **NetFailure(TIMED_OUT, f"timed out after {timeout_s:g} s").to_facts())
    except OSError as exc:
        raw = f"{exc.strerror or exc}" if not hasattr(exc, "request") else None  # a socket's own words
        out.update(failed_step=step, **failure(exc, raw).to_facts())
    except Exception as exc:
        out.update(failed_step=step, **failure(exc).to_facts())
        if isinstance(exc, requests.exceptions.SSLError) and any(w in str(exc) for w in CERT_DATE_WORDS):
            out.update(unverified_date(url, timeout_s))  # through a proxy the certificate is seen at this step
    return out


# OpenSSL's verify codes for a certificate outside its validity (X509_V_ERR_CERT_NOT_YET_VALID,
# X509_V_ERR_CERT_HAS_EXPIRED), and their texts: what a PC clock far off makes of a good certificate
CERT_DATE_CODES = (9, 10)
CERT_DATE_WORDS = ("certificate is not yet valid", "certificate has expired")


def unverified_date(url: str, timeout_s: float) -> dict[str, Any]:
    """The clock's measurement when TLS refused the server's certificate for its dates: the PC's
    clock is the likely cause, and the check still needs a number. The Date is read once more
    without verifying the certificate, for the clock only (nothing else of this answer is used),
    and marked `date_unverified`. {} when that fails too."""
    import warnings

    import requests
    import urllib3

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            t0, sent = time.monotonic(), time.time()
            with requests.get(url, timeout=timeout_s, verify=False, allow_redirects=False, stream=True) as resp:
                received, rtt = time.time(), time.monotonic() - t0
                date, age = resp.headers.get("Date"), resp.headers.get("Age")
    except Exception:  # the clock then stays without a number, as before
        return {}
    if not date:
        return {}
    return {"date": date, "age": age, "sent_at": round(sent, 3), "received_at": round(received, 3),
            "rtt_s": round(rtt, 3), "date_unverified": True}
