"""The HTTP side of `readiness serve`: one Starlette app from the route lists of serve/*_routes.py,
the exception handlers of serve/errors.py (typed refusals → statuses), and the doors of
serve/guards.py (rate limit, security headers) around it. The domain (the site view, the
rounds, the phone rules) knows nothing of HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from readiness.core.i18n import Text
from readiness.core.profile import Profile

from readiness.site.rounds import Rehearsals
from readiness.serve import branch_routes, phone_routes, round_routes, site_routes
from readiness.serve.context import ServeConfig, Serving
from readiness.serve.errors import HANDLERS, NotFound
from readiness.serve.guards import RateLimit, SecurityHeaders
from readiness.site.pacing import Pacer
from readiness.site.store import Store
from readiness.site.view import SiteView

if TYPE_CHECKING:
    from readiness.serve.upstream import Upstream

SITE_ROUTES = [*site_routes.ROUTES, *phone_routes.ROUTES, *round_routes.ROUTES]
SHARED = ("/", "/assets/{name}")  # every server's: its home (the dashboard of what it is) and the pages' files
NOT_A_SITE = Text("this server is a branch server, not a site's: no PCs' reports, site dashboard, phones or rehearsals "
                  "here (they go to the site's own server); the branch dashboard is /branch",
                  "本服务器是分部服务器，不是考点服务器：这里不接收考试机报告，也没有考点看板、手机检查和开考演练"
                  "（请使用考点自己的服务器）；分部看板位于 /branch")


async def not_a_site(request: Request) -> Response:
    raise NotFound(NOT_A_SITE)


async def not_a_branch(request: Request) -> Response:
    raise NotFound(branch_routes.NOT_A_BRANCH)


def _refused(routes: list[Route], handler: object) -> list[BaseRoute]:
    return [Route(r.path, handler, methods=list(r.methods or ())) for r in routes  # type: ignore[arg-type]
            if r.path not in SHARED]


def routes_for(profile: Profile) -> list[BaseRoute]:
    """The addresses of what this server is (Profile.is_site, Profile.is_branch): a site's, a
    branch's, or both. The other's answer a 404 saying what this server is, never an empty page of
    the other kind; `/` is every server's home (site_routes.home: the branch dashboard on a branch
    only)."""
    site: list[BaseRoute] = list(SITE_ROUTES) if profile.is_site else [
        *(r for r in site_routes.ROUTES if r.path in SHARED), *_refused(SITE_ROUTES, not_a_site)]
    branch: list[BaseRoute] = list(branch_routes.ROUTES) if profile.is_branch else _refused(branch_routes.ROUTES,
                                                                                            not_a_branch)
    return [*site, *branch]


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
    """What the handlers share; a branch server (Profile.is_branch) also keeps its
    senders' latest documents, read back from the store (a branch restarted mid-morning)."""
    profile = cfg.profile
    branch = None
    if profile.is_branch:
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
    app = Starlette(routes=routes_for(cfg.profile), exception_handlers=HANDLERS)  # type: ignore[arg-type]
    app.state.serving = serving or make_serving(cfg, store, view)
    return SecurityHeaders(RateLimit(app, cfg.rate_per_minute, manager_key=cfg.admin_key))


def upstreams_for(s: Serving) -> list["Upstream"]:
    """The senders up the chain, not yet started: with [upstream] url, this server's document to
    the level above (a branch sends its `readiness.branch/1`, a site its `readiness.site/1`); a
    server that is a site and a branch at once (Profile.is_site and is_branch) also hands
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

    if p.is_site and s.branch is not None:
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
