"""The quiz plugin's pages, split by concern; ``routes()`` gathers them for ``declic_routes``."""

from __future__ import annotations

from core.contracts import PageRoute


def routes() -> list[PageRoute]:
    from plugins.quiz.views import attempts, bank, grades, images, imports, quizzes, reports

    return [
        *quizzes.ROUTES,
        *attempts.ROUTES,
        *bank.ROUTES,
        *images.ROUTES,
        *reports.ROUTES,
        *imports.ROUTES,
        *grades.ROUTES,
    ]
