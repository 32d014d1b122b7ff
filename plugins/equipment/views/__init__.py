"""The equipment plugin's pages, one module per concern; ``all_routes()`` gathers them."""

from __future__ import annotations

from core.contracts import PageRoute


def all_routes() -> list[PageRoute]:
    from plugins.equipment.views import (
        agreements,
        assets,
        imports,
        loans,
        packs,
        statuses,
    )

    return [
        *assets.ROUTES,
        *packs.ROUTES,
        *loans.ROUTES,
        *agreements.ROUTES,
        *imports.ROUTES,
        *statuses.ROUTES,
    ]


def platform_routes() -> list[PageRoute]:
    from plugins.equipment.views import platform

    return list(platform.ROUTES)
