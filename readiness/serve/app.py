"""The HTTP side of `readiness serve`: one Starlette app from the route lists of serve/*_routes.py,
the exception handlers of serve/errors.py (typed refusals → statuses), and the doors of
serve/guards.py (rate limit, security headers) around it. The domain (the site view, the
rounds, the phone rules) knows nothing of HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from starlette.applications import Starlette
from starlette.types import ASGIApp

from readiness.site.rounds import Rehearsals
from readiness.serve import branch_routes, phone_routes, round_routes, site_routes
from readiness.serve.context import ServeConfig, Serving
from readiness.serve.errors import HANDLERS
from readiness.serve.guards import RateLimit, SecurityHeaders
from readiness.site.pacing import Pacer
from readiness.site.store import Store
from readiness.site.view import SiteView

if TYPE_CHECKING:
    from readiness.serve.upstream import Upstream

ROUTES = [*site_routes.ROUTES, *phone_routes.ROUTES, *round_routes.ROUTES, *branch_routes.ROUTES]


def _readable_rounds(rows: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """Rounds kept by earlier runs; one that cannot be read is left out, not a reason not to start."""
    found = []
    for _id, body in rows:
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("id"), int):
            found.append(doc)
    return found


def make_serving(cfg: ServeConfig, store: Store, view: SiteView) -> Serving:
    """What the handlers share; a branch server (the profile lists [branch.sites]) also keeps its
    senders' latest documents, read back from the store (a branch restarted mid-morning)."""
    profile = cfg.profile
    branch = None
    if profile["branch.sites"]:
        from readiness.branch.chain import BranchView, Received
        from readiness.core.exam import Timeline

        branch = BranchView({sid: "" for sid in profile["branch.sites"]}, Timeline.from_profile(profile))
        kept = []
        for sender_id, received_s, summary in store.sender_docs():
            try:
                kept.append((sender_id, received_s, Received.from_json(orjson.loads(summary))))
            except (orjson.JSONDecodeError, TypeError, KeyError, ValueError):
                continue  # written by this tool; one that cannot be read is shown as never heard, not wrongly
        branch.load(kept)
    return Serving(cfg, store, view, Rehearsals(_readable_rounds(store.rounds())),
                   Pacer(profile["rehearsal.lan_mbps"] or None), branch,
                   branch_routes.senders_of(profile["branch.sites"]))


def create_app(cfg: ServeConfig, store: Store, view: SiteView, serving: Serving | None = None) -> ASGIApp:
    app = Starlette(routes=ROUTES, exception_handlers=HANDLERS)  # type: ignore[arg-type]
    app.state.serving = serving or make_serving(cfg, store, view)
    return SecurityHeaders(RateLimit(app, cfg.rate_per_minute, manager_key=cfg.admin_key))


def upstreams_for(s: Serving) -> list["Upstream"]:
    """The senders up the chain, not yet started: with [upstream] url, this server's document to
    the level above (a branch sends its `readiness.branch/1`, a site its `readiness.site/1`); a
    server that is a site and a branch at once (its site.id in its own [branch.sites]) also hands
    its site's document to its own branch, by the same path as a site's over the network."""
    from readiness.serve.branch_routes import accept
    from readiness.serve.documents import own_branch_document, site_document
    from readiness.serve.upstream import Upstream

    from readiness.core.tls import Trust

    p = s.cfg.profile
    out = []
    trust = Trust.of(p, "upstream")

    def site_version() -> object:
        return (s.view.version, s.rehearsals.version)

    def site_doc(seq: int) -> dict[str, Any]:
        return site_document(s, seq)

    if p["site.id"] and s.branch is not None and p["site.id"] in p["branch.sites"]:
        def to_own_branch(raw: bytes) -> None:
            accept(s, raw, p["site.id"], "this server")

        out.append(Upstream("", "", p["upstream.heartbeat_s"], site_doc, site_version, s.store, "site",
                            local=to_own_branch))
    if p["upstream.url"]:
        branch = s.branch
        if branch is not None:
            def branch_version() -> object:
                return branch.version

            def branch_doc(seq: int) -> dict[str, Any]:
                return own_branch_document(s, seq)

            out.append(Upstream(p["upstream.url"], p["upstream.token"] or "", p["upstream.heartbeat_s"], branch_doc,
                                branch_version, s.store, "branch", trust=trust))
        else:
            out.append(Upstream(p["upstream.url"], p["upstream.token"] or "", p["upstream.heartbeat_s"], site_doc,
                                site_version, s.store, "site", trust=trust))
    return out
