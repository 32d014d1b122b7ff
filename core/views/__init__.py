"""Core pages. Each module lists its routes in ``ROUTES``; ``core_routes()`` gathers them."""

from __future__ import annotations

from core.routing import RouteDef


def core_routes() -> list[RouteDef]:
    from core.views import (
        account,
        audit,
        auth,
        branding,
        course,
        courses_admin,
        enrolments,
        groups,
        home,
        login_codes,
        members,
        platform,
        plugins_admin,
        sections,
        user_import,
    )

    return [
        *auth.ROUTES,
        *home.ROUTES,
        *account.ROUTES,
        *course.ROUTES,
        *members.ROUTES,
        *courses_admin.ROUTES,
        *sections.ROUTES,
        *groups.ROUTES,
        *enrolments.ROUTES,
        *login_codes.ROUTES,
        *branding.ROUTES,
        *audit.ROUTES,
        *platform.ROUTES,
        *plugins_admin.ROUTES,
        *user_import.ROUTES,
    ]
