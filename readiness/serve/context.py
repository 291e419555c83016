"""What every handler of one server shares, typed: the configuration, the store, the site view,
the rounds. It hangs on `app.state.serving`; handlers reach it through `serving(request)`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from starlette.requests import Request

from readiness.core.profile import Profile
from readiness.serve.buckets import Buckets
from readiness.site.rounds import Rehearsals

if TYPE_CHECKING:
    from readiness.branch.chain import BranchView
    from readiness.serve.upstream import Upstream
    from readiness.site.pacing import Pacer
    from readiness.site.store import Store
    from readiness.site.view import SiteView

MAX_BODY = 2 * 1024 * 1024
SENDS_PER_MINUTE = 20  # a sender sends on change, at most every 5 s, and at its heartbeat: 20 a minute, bursts of 10
BAD_TOKENS_PER_MINUTE = 30  # wrong tokens from one address before it is told to wait (no guessing online)


@dataclass(frozen=True)
class ServeConfig:
    token: str
    admin_key: str
    profile: Profile
    phone_token: str  # the invigilators' phones: the phone page and POST /api/phones only
    max_body: int = MAX_BODY
    body_timeout_s: float = 10.0
    header_timeout_s: float = 10.0
    rate_per_minute: int = 240
    lan_urls: tuple[str, ...] = field(default_factory=tuple)  # what phones can reach, for the QR code
    secure_cookie: bool = False  # served over TLS or behind a proxy: the manager's cookie never goes back in clear
    certificate: str | None = None  # a self-signed certificate's fingerprint: the phones are told how to accept it


@dataclass(frozen=True)
class Serving:
    cfg: ServeConfig
    store: Store
    view: SiteView
    rehearsals: Rehearsals
    pacer: Pacer
    branch: BranchView | None = None  # a branch server: its sites' latest documents
    senders: dict[str, str] = field(default_factory=dict)  # SHA-256 of a site's token -> that site's id
    upstreams: list[Upstream] = field(default_factory=list)  # sending up the chain (started by launch)
    sender_pace: Buckets = field(default_factory=lambda: Buckets(SENDS_PER_MINUTE))  # by sender id, not address
    bad_tokens: Buckets = field(default_factory=lambda: Buckets(BAD_TOKENS_PER_MINUTE))  # wrong site tokens, by address


def serving(request: Request) -> Serving:
    return cast(Serving, request.app.state.serving)
