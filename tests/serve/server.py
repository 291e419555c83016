"""A real server on 127.0.0.1 (uvicorn with the h11 parser, in a thread) for the serve tests."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator

from readiness.core.profile import Profile
from readiness.site.aggregate.build import rejudge_with, today_checks
from readiness.core.loading import load_checks_and_profile
from readiness.serve.app import create_app, make_serving, upstreams_for
from readiness.serve.context import ServeConfig
from readiness.serve.launch import bind, make_server
from readiness.site.store import Store
from readiness.site.view import SiteView

TOKEN = "submit-token-for-tests"
KEY = "manager-key-for-tests"
PHONE_TOKEN = "phone-token-for-tests"


def open_round(url: str, paper_mb: float, token: str = TOKEN, key: str = KEY, seat: str = "PAPER-READER") -> dict:
    """A LAN-only round under way (one seat joined, so it is not over at once): the server's paper
    (/paper) is sent only then."""
    import requests

    requests.get(url + "/api/rehearsals/poll", params={"seat": seat}, headers={"Authorization": f"Bearer {token}"},
                 timeout=10).raise_for_status()
    r = requests.post(url + "/api/rehearsals", json={"url": None, "paper_mb": paper_mb, "lead_s": 1},
                      headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert r.status_code == 201, r.text
    return dict(r.json())


@dataclass
class Running:
    url: str
    store: Store
    view: SiteView
    cfg: ServeConfig
    serving: Any = None

    def submit_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

    def phone_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {PHONE_TOKEN}", "Content-Type": "application/json"}

    def manager_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {KEY}"}


@contextmanager
def running(data: Path, profile: Profile, profile_path: str | None = None, port: int = 0, chain: bool = False,
            **options: Any) -> Iterator[Running]:
    """chain: start the senders up the chain ([upstream]; a site that is its own branch), as serve does;
    tls (a readiness.serve.tls.Served) serves HTTPS, trusted_proxies as the profile's."""
    limits = {k: options.pop(k) for k in ("per_client", "exempt_loopback", "tls", "trusted_proxies") if k in options}
    store = Store(data)
    if profile_path is not None:  # as `serve --profile`: the command's profile re-judges every report
        loaded, rules = load_checks_and_profile(Path(profile_path))
        view = SiteView(store, rules, rejudge_with(loaded, rules), today_checks(loaded))
    else:
        loaded, rules = load_checks_and_profile(None)
        view = SiteView(store, rules, today=today_checks(loaded))
    cfg = replace(ServeConfig(token=TOKEN, admin_key=KEY, profile=profile, phone_token=PHONE_TOKEN), **options)
    serving = make_serving(cfg, store, view)
    server = make_server(create_app(cfg, store, view, serving), cfg.header_timeout_s, cfg.body_timeout_s, **limits)
    senders = upstreams_for(serving) if chain else []
    serving.upstreams.extend(senders)
    sock = bind("127.0.0.1", port)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "the server did not start"
    for sender in senders:
        sender.start()
    try:
        scheme = "https" if limits.get("tls") else "http"
        yield Running(f"{scheme}://127.0.0.1:{sock.getsockname()[1]}", store, view, cfg, serving)
    finally:
        for sender in senders:
            sender.stop()
        server.should_exit = True
        thread.join(10)
        sock.close()
        store.close()


LINK = r"(https?://127\.0\.0\.1:\d+)/(?:branch)?\?key="  # the dashboard link `serve` prints: a site's or a branch's


def address_of(proc: Any, pattern: str = LINK, within_s: float = 60.0) -> str:
    """The address a `serve` process prints in its start-up text (pattern's first group); the rest
    of its output drained in the background. A server that never prints it (a changed banner, a hung
    start) is killed after within_s, so the test fails with its exit code instead of waiting forever."""
    import re

    watchdog = threading.Timer(within_s, proc.kill)
    watchdog.start()
    try:
        for line in proc.stdout:
            found = re.search(pattern, line)
            if found:
                threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
                return found.group(1)
    finally:
        watchdog.cancel()
    raise AssertionError(f"the server did not print its address (exit {proc.wait()})")
