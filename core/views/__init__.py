"""Core pages. Each module lists its routes in ``ROUTES``; ``core_routes()`` gathers them."""

from __future__ import annotations

from core.routing import RouteDef


def core_routes() -> list[RouteDef]:
    from core.views import auth, home

    return [*auth.ROUTES, *home.ROUTES]
