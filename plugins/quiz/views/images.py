"""Serving the bank's pictures, to members of the organisation only."""

from __future__ import annotations

from starlette.responses import Response

from core.context import RequestContext
from core.contracts import PageRoute, needs
from plugins.quiz.models import QuizImage


def image(ctx: RequestContext, image_id: str) -> Response:
    picture = ctx.get(QuizImage, image_id)
    return Response(
        picture.data,
        media_type=picture.content_type,
        headers={
            "Cache-Control": "private, max-age=86400",
            "ETag": f'"{picture.sha256[:32]}"',
            "Content-Disposition": "inline",
        },
    )


ROUTES = [PageRoute("/images/{image_id:int}", image, ("GET",), needs("quiz:attempt"), "image")]
