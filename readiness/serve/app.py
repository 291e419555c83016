"""The HTTP side of `readiness serve`: one Starlette app from the route lists of serve/*_routes.py,
the exception handlers of serve/errors.py (typed refusals → statuses), and the doors of
serve/guards.py (rate limit, security headers) around it. The domain (the site view, the
rounds, the phone rules) knows nothing of HTTP."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.types import ASGIApp

from readiness.rounds import Rehearsals
from readiness.serve import phone_routes, round_routes, site_routes
from readiness.serve.context import ServeConfig, Serving
from readiness.serve.errors import HANDLERS
from readiness.serve.guards import RateLimit, SecurityHeaders
from readiness.serve.pacing import Pacer
from readiness.serve.store import Store
from readiness.serve.view import SiteView

ROUTES = [*site_routes.ROUTES, *phone_routes.ROUTES, *round_routes.ROUTES]


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


def create_app(cfg: ServeConfig, store: Store, view: SiteView) -> ASGIApp:
    app = Starlette(routes=ROUTES, exception_handlers=HANDLERS)  # type: ignore[arg-type]
    app.state.serving = Serving(cfg, store, view, Rehearsals(_readable_rounds(store.rounds())),
                                Pacer(cfg.profile["rehearsal.lan_mbps"] or None))
    return SecurityHeaders(RateLimit(app, cfg.rate_per_minute, manager_key=cfg.admin_key))
